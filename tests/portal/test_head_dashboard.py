"""The head of administration's start page: compliance for their managers first, their
reports and only the subscriptions they truly have."""

from datetime import date

import pytest
from django.urls import reverse

from enrolment.compliance import Status
from reporting.models import ReportSubscription
from tests import factories as f
from tests.budgets import STANDING_REFRESH

URL = "portal:head_of_administration"


@pytest.fixture
def borlange(world, personas):
    """Borlänge under its mandate: two overdue in the social administration, one at risk
    in care, one who has not started."""
    f.MandateFactory(municipality=world.borlange, fixed_completion_date=date(2027, 6, 30))
    overdue = f.ParticipantFactory.create_batch(
        2,
        municipality=world.borlange,
        administration=world.borlange_social,
        appointed_on=date(2025, 8, 1),
    )
    at_risk = f.ParticipantFactory(
        municipality=world.borlange,
        administration=world.borlange_care,
        appointed_on=date(2023, 9, 1),
    )
    # Begun in time, but three courses at one a term cannot end by the fixed date.
    f.pass_course(at_risk, world.courses["new"], "HT2025")
    return {"overdue": overdue, "at_risk": at_risk}


def _counts(response):
    return {status: count for status, _label, count in response.context["counts"]}


def test_the_start_page_leads_with_compliance_counts_and_the_overdue_with_deadlines(
    client, personas, borlange
):
    client.force_login(personas.head_borlange)
    response = client.get(reverse(URL))
    assert response.status_code == 200
    counts = _counts(response)
    # The two, and the persona's own manager (in post since 2023, never started).
    assert counts[Status.OVERDUE] == 3
    assert counts[Status.AT_RISK] == 1
    attention = response.context["attention"]
    assert {row.participant for row in attention} >= {*borlange["overdue"], borlange["at_risk"]}
    assert [row.status for row in attention] == sorted(
        (row.status for row in attention), key=Status.ORDER.index
    )
    html = response.content.decode()
    assert html.index('id="compliance-heading"') < html.index('id="reports-heading"')
    assert attention[0].deadline.isoformat() in html
    assert reverse("reporting:report_list") in html


def test_the_head_of_one_administration_sees_only_its_managers(client, personas, borlange):
    client.force_login(personas.head_borlange_social)
    response = client.get(reverse(URL))
    people = {row.participant for row in response.context["attention"]}
    assert borlange["at_risk"] not in people
    assert set(borlange["overdue"]) <= people
    assert sum(_counts(response).values()) == 3


def test_without_a_subscription_the_page_promises_no_monthly_reports(client, personas, borlange):
    client.force_login(personas.head_borlange)
    response = client.get(reverse(URL))
    assert response.context["subscriptions"] == []
    assert b'<ul id="subscriptions">' not in response.content
    assert b'id="subscriptions"' in response.content


def test_with_a_subscription_the_page_names_it(client, world, personas, borlange):
    ReportSubscription.objects.create(
        user=personas.head_borlange, kind="compliance", municipality=world.borlange
    )
    client.force_login(personas.head_borlange)
    response = client.get(reverse(URL))
    assert [s.municipality for s in response.context["subscriptions"]] == [world.borlange]
    assert b'<ul id="subscriptions">' in response.content
    assert "Borlänge" in response.content.decode()


def test_a_municipality_without_a_mandate_is_said_to_have_none(client, world, personas):
    client.force_login(personas.head_borlange)
    response = client.get(reverse(URL))
    assert response.context["without_mandate"] == [world.borlange]
    assert response.context["attention"] == []


@pytest.mark.parametrize("size", [1, 30])
def test_the_start_page_runs_in_constant_queries(
    client, world, personas, borlange, django_assert_max_num_queries, size
):
    f.ParticipantFactory.create_batch(
        size, municipality=world.borlange, appointed_on=date(2025, 8, 1)
    )
    client.force_login(personas.head_borlange)
    with django_assert_max_num_queries(19 + STANDING_REFRESH):
        response = client.get(reverse(URL))
    assert _counts(response)[Status.OVERDUE] == 3 + size
