"""Keys for the personas, and a client that sends one."""

import pytest
from django.test import Client

from api.services import token_create
from portal.accounts.models import Role

# Who issues the key for each persona: someone whose reach covers the persona's role.
ISSUERS = {
    "programme_admin": "programme_admin",
    "council": "programme_admin",
    "hr_falun": "hr_falun",
    "hr_borlange": "hr_borlange",
    "head_borlange": "hr_borlange",
    "head_borlange_social": "hr_borlange",
}


class ApiClient:
    def __init__(self, key=None, language=None):
        self.client = Client()
        self.headers = {}
        if key:
            self.headers["Authorization"] = f"Bearer {key}"
        if language:
            self.headers["Accept-Language"] = language

    def _call(self, method, path, data=None, headers=None):
        headers = {**self.headers, **(headers or {})}
        call = getattr(self.client, method)
        if method == "get":
            return call(path, data or {}, headers=headers)
        return call(path, data, content_type="application/json", headers=headers)

    def get(self, path, data=None, **kwargs):
        return self._call("get", path, data, **kwargs)

    def post(self, path, data=None, **kwargs):
        return self._call("post", path, data, **kwargs)

    def put(self, path, data=None, **kwargs):
        return self._call("put", path, data, **kwargs)

    def patch(self, path, data=None, **kwargs):
        return self._call("patch", path, data, **kwargs)


def key_for(personas, name: str) -> str:
    user = personas.all()[name]
    assignment = user.role_assignments.exclude(role=Role.MANAGER).get()
    issuer = personas.all()[ISSUERS[name]]
    _token, key = token_create(user=issuer, assignment=assignment, name=f"System of {name}")
    return key


@pytest.fixture
def keys(personas):
    return {name: key_for(personas, name) for name in ISSUERS}


@pytest.fixture
def api_as(keys):
    def make(name, language=None):
        return ApiClient(keys[name], language=language)

    return make
