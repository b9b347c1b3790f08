"""No drop-down on any page starts with Django's bare "---------": every empty choice
says what choosing nothing means ("All", "No administration", …), or the field has none.

The sweep visits every page of the portal, found from the URL configuration as in
test_every_url.py, with real ids, as every persona, and reads each page that answers.
"""

import re

import pytest
from django.urls import get_resolver

from enrolment.models import EnrolmentState
from tests import factories as f
from tests.portal.test_every_url import SKIPPED_PREFIXES, _path, _walk

DASHES = "---------"
DASHED_SELECT = re.compile(r'<select[^>]*name="([^"]+)"[^>]*>\s*<option value=""[^>]*>-{9}<')
SELECT = re.compile(r'<select[^>]*name="([^"]+)"')
# The drop-downs named in the issue, and the like, that the sweep must have read.
MUST_READ_SELECTS = {
    "offering",
    "assignment",
    "municipality",
    "administration",
    "operational_area",
    "position",
    "course",
    "slot",
    "questionnaire",
}
# Files, feeds and the API answer no HTML form.
NOT_PAGES = ("/api/v1/", "export", "registerutdrag", ".pdf", "fil/", "mall.", "deltagare.", ".ics")
# Pages whose forms the sweep must have read, for someone, for the test to mean anything.
MUST_RENDER = {
    "enrolment:participant_list",
    "enrolment:participant_create",
    "enrolment:participant_update",
    "enrolment:participant_take_over",
    "enrolment:participant_detail",
    "enrolment:administration_pause",
    "enrolment:offering_create",
    "enrolment:offering_update",
    "enrolment:credit_transfer_create",
    "enrolment:compliance_municipality",
    "api:token_list",
    "reporting:report_list",
    "programmes:programme_detail",
}


@pytest.fixture
def sweep(world, personas, national_admin):
    offering = f.OfferingFactory(course=world.courses["new"], term="VT2027")
    participant = personas.manager_participant
    f.EnrolmentFactory(participant=participant, offering=offering, state=EnrolmentState.ADMITTED)
    # An offering still open to the manager, so their page offers to nominate.
    f.OfferingFactory(course=world.courses["steering"], term="VT2027")
    mandate = f.MandateFactory(municipality=world.borlange)
    ids = {
        "chefer/": participant.pk,
        "kurstillfallen/": offering.pk,
        "program/": world.programme.pk,
        "beslut/": mandate.pk,
    }
    users = dict(personas.all(), national_admin=national_admin)
    return ids, users, world


def _concrete(pattern, ids, world):
    path = _path(pattern)
    for prefix, pk in ids.items():
        if prefix in path:
            path = path.replace("999999", str(pk))
    return path.replace("/9999/", f"/{world.borlange.code}/")


def test_no_page_offers_a_bare_dashed_empty_choice(client, sweep):
    ids, users, world = sweep
    pages = [
        (name, _concrete(pattern, ids, world))
        for name, pattern in _walk(get_resolver())
        if not name.startswith(SKIPPED_PREFIXES)
    ]
    pages = [(n, p) for n, p in pages if not any(part in p for part in NOT_PAGES)]
    read, selects, offenders = set(), set(), []
    for persona, user in users.items():
        client.force_login(user)
        for name, path in pages:
            if "999999" in path or "/x/" in path:
                continue
            response = client.get(path)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            read.add(name)
            html = response.content.decode()
            selects |= set(SELECT.findall(html))
            if DASHES in html:
                fields = DASHED_SELECT.findall(html) or [html[html.index(DASHES) - 200 :][:250]]
                offenders.append((persona, name, ", ".join(fields)))
    assert not offenders, "\n".join(" ".join(o) for o in offenders)
    assert read >= MUST_RENDER, MUST_RENDER - read
    assert selects >= MUST_READ_SELECTS, MUST_READ_SELECTS - selects
