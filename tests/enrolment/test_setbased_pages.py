"""The pages that read progress and compliance set-based: the managers list as a team
view (compliance status and deadline as columns, filtered and sorted), the programme
administrator's start page, the offering page and the compliance pages, each in the
same number of queries whatever the number of managers."""

import dataclasses
from datetime import date, timedelta

import pytest
from django.urls import reverse, reverse_lazy
from django.utils import timezone

from enrolment import setbased
from enrolment.compliance import (
    Status,
    compute_compliance,
    municipality_compliance_listing,
    region_compliance_summary,
)
from enrolment.models import EnrolmentState as S
from enrolment.models import Participant
from enrolment.selectors import page_standing
from tests import factories as f
from tests.budgets import STANDING_REFRESH


def _populate(world, count):
    """`count` managers in Borlänge under a mandate: some passed a course, some are
    nominated to a running offering, some have a slot credited, some never started."""
    f.MandateFactory(municipality=world.borlange, effective_from=date(2020, 1, 1))
    offering = f.offering_for(world.courses["steering"], "HT2025")
    today = timezone.localdate()
    for index in range(count):
        # Appointed from about six months to about five years ago: every status occurs.
        participant = f.ParticipantFactory(
            municipality=world.borlange, appointed_on=today - timedelta(days=180 + index * 23)
        )
        if index % 4 != 3:
            f.pass_course(participant, world.courses["new"], "HT2023")
        if index % 2 == 0:
            f.EnrolmentFactory(participant=participant, offering=offering)
        if index % 3 == 0:
            f.CreditTransferFactory(participant=participant, slot=world.slots[3])
    return offering


def _names(response):
    return [row["participant"].pk for row in response.context["rows"]]


@pytest.mark.parametrize("size", [10, 120])
@pytest.mark.parametrize(
    "query",
    [
        {},
        {"ordering": "-hp"},
        {"ordering": "compliance"},
        {"ordering": "-deadline", "q": "a"},
        {"compliance": Status.OVERDUE, "status": "in_progress"},
    ],
)
def test_the_managers_list_runs_in_constant_queries(
    client, world, personas, django_assert_max_num_queries, size, query
):
    _populate(world, size)
    client.force_login(personas.hr_borlange)
    with django_assert_max_num_queries(17 + STANDING_REFRESH):
        response = client.get(reverse("enrolment:participant_list"), query)
    assert response.status_code == 200


def test_the_list_shows_each_managers_compliance_and_deadline_as_the_compliance_page(
    client, world, personas
):
    _populate(world, 30)
    client.force_login(personas.hr_borlange)
    response = client.get(reverse("enrolment:participant_list"), {"ordering": "compliance"})
    (result,) = compute_compliance([world.borlange], timezone.localdate())
    judged = {row.participant.pk: row for row in result.rows}
    rows = response.context["rows"]
    assert rows
    for row in rows:
        expected = judged.get(row["participant"].pk)
        shown = row["standing"]
        assert shown.compliance_status == (expected.status if expected else None)
        assert shown.compliance_deadline == (expected.deadline if expected else None)
        if expected:
            assert row["compliance"] == Status.LABELS[expected.status]
    # Sorted by compliance: the most urgent first, in the compliance page's order.
    order = [Status.ORDER.index(r["standing"].compliance_status) for r in rows]
    assert order == sorted(order)
    content = response.content.decode()
    assert "compliance-" in content


def test_the_compliance_filter_keeps_only_that_status(client, world, personas):
    _populate(world, 30)
    client.force_login(personas.hr_borlange)
    (result,) = compute_compliance([world.borlange], timezone.localdate())
    status = result.rows[0].status
    response = client.get(reverse("enrolment:participant_list"), {"compliance": status})
    assert response.status_code == 200
    expected = sorted(r.participant.pk for r in result.rows if r.status == status)
    assert sorted(_names(response)) == expected[:50]
    assert response.context["page"].paginator.count == len(expected)


def test_sorting_by_deadline_puts_the_earliest_first_and_managers_without_last(
    client, world, personas
):
    _populate(world, 20)
    f.ParticipantFactory(municipality=world.falun, last_name="Utanför")
    client.force_login(personas.programme_admin)
    response = client.get(reverse("enrolment:participant_list"), {"ordering": "deadline"})
    deadlines = [r["standing"].compliance_deadline for r in response.context["rows"]]
    dated = [d for d in deadlines if d is not None]
    assert dated == sorted(dated)
    assert deadlines[: len(dated)] == dated
    assert deadlines[-1] is None


def test_a_bad_compliance_filter_is_a_form_error_not_a_crash(client, world, personas):
    client.force_login(personas.hr_borlange)
    response = client.get(
        reverse("enrolment:participant_list"), {"compliance": "nonsense", "ordering": "-hp"}
    )
    assert response.status_code == 200
    assert "compliance" in response.context["filter"].form.errors


@pytest.mark.parametrize("size", [5, 80])
def test_the_programme_administrators_start_page_runs_in_constant_queries(
    client, world, personas, django_assert_max_num_queries, size
):
    _populate(world, size)
    client.force_login(personas.programme_admin)
    with django_assert_max_num_queries(12 + STANDING_REFRESH):
        response = client.get(reverse("portal:programme_admin"))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [5, 80])
def test_the_offering_page_runs_in_constant_queries(
    client, world, personas, django_assert_max_num_queries, size
):
    offering = _populate(world, size)
    client.force_login(personas.programme_admin)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("enrolment:offering_detail", args=[offering.pk]))
    assert response.status_code == 200
    shown = [row["enrolment"] for row in response.context["page"]]
    assert len(shown) == min(offering.enrolments.count(), 100)
    names = [(e.participant.last_name, e.participant.first_name, e.pk) for e in shown]
    assert names == sorted(names)


def test_the_offering_pages_waitlist_is_in_its_order(client, world, personas):
    offering = f.offering_for(world.courses["law"], "HT2026")
    for position in (3, 1, 2):
        f.EnrolmentFactory(offering=offering, state=S.WAITLISTED, waitlist_position=position)
    client.force_login(personas.programme_admin)
    response = client.get(reverse("enrolment:offering_detail", args=[offering.pk]))
    assert [e.waitlist_position for e in response.context["waitlist"]] == [1, 2, 3]


@pytest.mark.parametrize("size", [5, 80])
def test_the_regional_compliance_page_runs_in_constant_queries_and_counts_as_python(
    client, world, personas, django_assert_max_num_queries, size
):
    _populate(world, size)
    client.force_login(personas.programme_admin)
    with django_assert_max_num_queries(14 + STANDING_REFRESH):
        response = client.get(reverse("enrolment:compliance_region"))
    assert response.status_code == 200
    html = response.content.decode()
    on = timezone.localdate()
    python = {
        r.municipality.pk: r for r in compute_compliance(world.region.municipalities.all(), on)
    }
    counted = region_compliance_summary(region=world.region, on=on)
    for result in counted:
        assert result.counts == python[result.municipality.pk].counts
        assert result.total == python[result.municipality.pk].total
        if result.mandate is not None:
            # A programme administrator reads the exact number in scope.
            row = html[html.index(f'data-municipality="{result.municipality.code}"') :]
            assert f'<td class="text-end">{result.total}</td>' in row[: row.index("</tr>")]
    assert sum(result.total for result in counted) > 0


@pytest.mark.parametrize("size", [5, 80])
def test_the_municipality_compliance_page_runs_in_constant_queries(
    client, world, personas, django_assert_max_num_queries, size
):
    _populate(world, size)
    client.force_login(personas.hr_borlange)
    with django_assert_max_num_queries(20 + STANDING_REFRESH):
        response = client.get(
            reverse("enrolment:compliance_municipality", args=[world.borlange.code])
        )
    assert response.status_code == 200
    (python,) = compute_compliance([world.borlange], timezone.localdate())
    assert response.context["result"].total == python.total >= size


@pytest.mark.parametrize(
    "statuses", [(Status.OVERDUE, Status.AT_RISK, Status.NOT_STARTED), (Status.ON_TRACK,), ()]
)
def test_the_municipality_page_counts_everyone_and_judges_only_those_it_lists(
    world, personas, statuses
):
    _populate(world, 40)
    today = timezone.localdate()
    (everyone,) = compute_compliance([world.borlange], today)

    listing = municipality_compliance_listing(
        municipality=world.borlange, on=today, statuses=statuses
    )

    assert listing.counts == everyone.counts
    assert listing.total == everyone.total
    assert [(r.participant.pk, r.status, r.deadline) for r in listing.rows] == [
        (r.participant.pk, r.status, r.deadline) for r in everyone.rows if r.status in statuses
    ]


def test_the_demo_without_postgresql_gives_a_page_the_same_standing(world, monkeypatch):
    """`make run` without services (SQLite) takes the Python forms: the same rows."""
    _populate(world, 12)
    participants = list(Participant.objects.order_by("pk"))
    today = timezone.localdate()
    in_sql = page_standing(participants, today)

    monkeypatch.setattr(setbased, "is_supported", lambda: False)
    in_python = page_standing(participants, today)

    # Every column a page shows; the estimate of the finish (shown by none) is SQL's alone.
    assert in_python == {
        pk: dataclasses.replace(row, estimated_finish=None) for pk, row in in_sql.items()
    }


@pytest.mark.parametrize(
    "url",
    [
        reverse_lazy("enrolment:participant_list"),
        "/",
    ],
)
def test_the_pages_answer_on_the_python_forms_too(client, world, personas, monkeypatch, url):
    _populate(world, 5)
    monkeypatch.setattr(setbased, "is_supported", lambda: False)
    for persona in (personas.hr_borlange, personas.head_borlange, personas.programme_admin):
        client.force_login(persona)
        assert client.get(url, {"ordering": "-hp"}, follow=True).status_code == 200
        assert client.get(
            reverse("enrolment:compliance_municipality", args=[world.borlange.code])
        ).status_code in (200, 404)
