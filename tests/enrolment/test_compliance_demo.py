from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from enrolment.compliance import Status, municipality_compliance
from portal.accounts.models import User
from programmes.models import Municipality
from web.demo.dalarna import DEMO_USERS

DEMO_TODAY = date(2026, 11, 22)


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


def test_borlange_shows_managers_in_every_status_but_exempt(demo):
    result = municipality_compliance(
        municipality=Municipality.objects.get(code="2081"), on=DEMO_TODAY
    )
    counts = result.counts
    for status in set(Status.ORDER) - {Status.EXEMPT}:
        assert counts[status] > 0, (status, counts)
    assert result.mandate.reference


def test_borlange_page_and_regional_page_show_the_same_counts(client, demo):
    emails = {email: role for role, email in DEMO_USERS}
    hr = User.objects.get(email="hr.borlange@demo.hvd.se")
    programme_admin = User.objects.get(email="programadmin@demo.hvd.se")
    assert emails[hr.email] == "hr_admin"

    client.force_login(hr)
    page = client.get(reverse("enrolment:compliance_municipality", args=["2081"]))
    municipality_counts = page.context["result"].counts

    client.force_login(programme_admin)
    regional = client.get(reverse("enrolment:compliance_region"))
    row = regional.content.decode().split('data-municipality="2081"')[1].split("</tr>")[0]
    total = sum(municipality_counts.values())
    assert f'<td class="text-end">{total}</td>' in row
    for status, count in municipality_counts.items():
        cell = row.split(f'data-status="{status}">')[1].split("<")[0]
        # The programme administrator sees every manager, so no share is hidden.
        expected = f"{round(100 * count / total)} %"
        assert cell == expected, (status, cell, expected)
