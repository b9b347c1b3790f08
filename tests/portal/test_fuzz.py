"""Every URL pattern and every form on it, as each role, fed what no form expects: NUL
bytes, overlong strings, numbers beyond any column, words where numbers go, impossible
dates. Whatever the answer, it is never a 500; NUL is refused with 400 before any view.

The URLs come from the URL configuration itself (tests/portal/test_every_url.py), with
the ids of real objects where the pattern names them, so that the forms are reached."""

import re

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from tests import factories as f
from tests.portal.test_every_url import SKIPPED_PREFIXES, _example, _walk

ROLES = ["programme_admin", "hr_borlange", "head_borlange", "council", "manager", "no_role"]
OVERLONG = "å" * 5000
HUGE_NUMBER = "9" * 30
WRONG = [OVERLONG, HUGE_NUMBER, "-1", "abc", "2024-02-30", "1e309", "[]", "0x10"]
QUERY_KEYS = [
    "q",
    "page",
    "sort",
    "municipality",
    "administration",
    "term",
    "state",
    "status",
    "year",
    "date",
    "kind",
    "offering",
    "slot",
    "course",
    "language",
]
FIELD = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"")

PATTERNS = sorted(
    (name, pattern)
    for name, pattern in _walk(get_resolver())
    if not name.startswith(SKIPPED_PREFIXES) or name in ("account_login", "admin:login")
)


@pytest.fixture
def objects(world, personas):
    offering = f.OfferingFactory(course=world.courses["law"])
    enrolment = f.EnrolmentFactory(participant=personas.manager_participant, offering=offering)
    return {
        "participant": personas.manager_participant.pk,
        "offering": offering.pk,
        "enrolment": enrolment.pk,
        "code": world.borlange.code,
    }


def _value(url_name: str, param: str, converter: str, objects) -> str:
    if param == "code":
        return objects["code"]
    if param == "participant_pk" or (param == "pk" and url_name.startswith("enrolment:part")):
        return str(objects["participant"])
    if param == "offering_pk" or (param == "pk" and url_name.startswith("enrolment:offer")):
        return str(objects["offering"])
    if param == "pk" and url_name == "enrolment:enrolment_transition":
        return str(objects["enrolment"])
    if param == "action":
        return "admit"
    return _example(param, converter)


def _path(url_name: str, pattern: str, objects, override: str | None = None) -> str:
    """A concrete path: real ids, or `override` in every integer place."""

    def value(param, converter):
        if override is not None and ("int" in converter or "0-9" in converter):
            return override
        return _value(url_name, param, converter, objects)

    path = pattern.lstrip("^").rstrip("$").replace("\\.", ".")
    path = re.sub(r"\(\?P<(\w+)>([^)]*)\)", lambda m: value(m.group(1), m.group(2)), path)
    path = re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: value(m.group(2), m.group(1) or "str"), path)
    return "/" + path


def _client(personas, role) -> Client:
    client = Client()
    if role:
        client.force_login(getattr(personas, role))
    return client


def _assert_no_500(response, *where):
    assert response.status_code < 500, (*where, response.status_code)


def _fields(response) -> set[str]:
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return set()
    return set(FIELD.findall(response.content.decode())) - {"csrfmiddlewaretoken"}


def _fuzz_as(client, url_name, path, number_path):
    nul = client.get(path, dict.fromkeys(QUERY_KEYS, "a\x00b"))
    assert nul.status_code == 400, (url_name, path, nul.status_code)
    odd = client.get(path, {key: WRONG[i % len(WRONG)] for i, key in enumerate(QUERY_KEYS)})
    _assert_no_500(odd, url_name, path, "query")
    if number_path != path:
        _assert_no_500(client.get(number_path), url_name, number_path)
    fields = sorted(_fields(client.get(path)) | {"name", "email", "date", "offering"})
    nul = client.post(path, dict.fromkeys(fields, "x\x00"))
    assert nul.status_code == 400, (url_name, path, nul.status_code)
    for shift in range(2):
        data = {name: WRONG[(i + shift) % len(WRONG)] for i, name in enumerate(fields)}
        _assert_no_500(client.post(path, data), url_name, path, "post", shift)


@pytest.mark.parametrize(("url_name", "pattern"), PATTERNS, ids=[n for n, _ in PATTERNS])
def test_no_url_or_form_answers_500_to_bad_input_for_any_role(personas, objects, url_name, pattern):
    path = _path(url_name, pattern, objects)
    number_path = _path(url_name, pattern, objects, override=HUGE_NUMBER)
    for role in [*ROLES, None]:
        _fuzz_as(_client(personas, role), url_name, path, number_path)


def test_the_public_certificate_page_refuses_nul_with_400(client, db):
    assert client.get("/intyg/%00/").status_code == 400
    assert client.get(reverse("reporting:certificate_verify", args=["x" * 5000])).status_code < 500
