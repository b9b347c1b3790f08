"""Every URL of the portal, found from the URL configuration itself, checked against an
anonymous visitor and a logged-in user without any role.

A URL added without its own scope tests is still held to the rule: anonymous visitors
are sent to log in, and someone outside every scope gets 404 (never a page, never 403,
never a 500). The few public pages are listed by name.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Pages meant for everyone, and Django's and allauth's own.
PUBLIC = {
    "healthz",
    # Answers the operator's token or the private network only (tests/portal/test_health.py).
    "readiness",
    "reporting:certificate_verify",
    "portal:set_language",
    "api:schema",
    "api:docs",
    "privacy:page",
    "notifications:unsubscribe",
    "notifications:feed",
}
# The API answers to keys only, never to a session: without one it is 401 for everyone.
KEY_ONLY_PREFIX = "/api/v1/"
SKIPPED_PREFIXES = (
    "admin:",
    "account_",
    "socialaccount_",
    "openid_connect_",
    "saml_",
    "mfa_",
    "usersessions_",
)
# Pages any logged-in user has: the start page says what role they lack.
ANY_USER = {"portal:home"}

VALUES = {"code": "9999", "file_format": "csv", "fmt": "csv"}


def _example(name: str, converter_or_regex: str) -> str:
    if name in VALUES:
        return VALUES[name]
    if re.fullmatch(r"[a-z_]+(\|[a-z_]+)+", converter_or_regex):
        return converter_or_regex.split("|")[0]
    return "999999" if "0-9" in converter_or_regex or "int" in converter_or_regex else "x"


def _walk(resolver, prefix="", namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            yield from _walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern)


def _path(pattern: str) -> str:
    """A concrete path for a route or regex pattern, with made-up ids."""
    path = pattern.replace("^", "").replace("$", "").replace("\\.", ".")

    def route(match):
        converter, name = match.group(1) or "str", match.group(2)
        return _example(name, converter)

    path = re.sub(r"\(\?P<(\w+)>([^)]*)\)", lambda m: _example(m.group(1), m.group(2)), path)
    path = re.sub(r"<(?:(\w+):)?(\w+)>", route, path)
    return "/" + path


URLS = sorted(
    (name, _path(pattern))
    for name, pattern in _walk(get_resolver())
    if not name.startswith(SKIPPED_PREFIXES) and name not in PUBLIC
)


def test_the_sweep_finds_the_portals_pages():
    names = {name for name, _ in URLS}
    assert {"enrolment:participant_list", "reporting:report_list", "followup:key_figures"} <= names
    assert len(URLS) > 50


@pytest.mark.parametrize(("name", "path"), URLS, ids=[n for n, _ in URLS])
def test_anonymous_visitors_are_sent_to_log_in(client, db, name, path):
    for method in (client.get, client.post):
        response = method(path)
        if path.startswith(KEY_ONLY_PREFIX):
            assert response.status_code in (401, 405), (name, path, response.status_code)
            continue
        assert response.status_code in (302, 405), (name, path, response.status_code)
        if response.status_code == 302:
            assert response.url.startswith("/konto/login/"), (name, response.url)


@pytest.mark.parametrize(("name", "path"), URLS, ids=[n for n, _ in URLS])
def test_a_user_without_a_role_gets_404(client, personas, name, path):
    client.force_login(personas.no_role)
    for method in (client.get, client.post):
        response = method(path)
        if path.startswith(KEY_ONLY_PREFIX):
            assert response.status_code in (401, 405), (name, path, response.status_code)
        elif name in ANY_USER:
            assert response.status_code in (200, 405), (name, response.status_code)
        else:
            assert response.status_code in (404, 405), (name, path, response.status_code)


@pytest.mark.parametrize(("name", "path"), URLS, ids=[n for n, _ in URLS])
def test_methods_a_page_does_not_take_answer_405(client, db, name, path):
    """Each page says which methods it takes (GET and HEAD to read, POST where it has a
    form); anything else is 405 before log-in or scope is looked at, so the answer says
    nothing about what exists."""
    if path.startswith(KEY_ONLY_PREFIX):
        return
    for method in ("PUT", "PATCH", "DELETE"):
        response = client.generic(method, path)
        assert response.status_code == 405, (name, path, method, response.status_code)
