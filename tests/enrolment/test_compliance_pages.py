from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from enrolment.compliance import Status, municipality_compliance
from enrolment.models import ComplianceSnapshot, Mandate, Participant
from enrolment.services.compliance import compliance_snapshot_take
from enrolment.tasks import compliance_snapshot_monthly
from tests import factories as f


@pytest.fixture
def mandate(world):
    return f.MandateFactory(municipality=world.borlange, fixed_completion_date=date(2028, 6, 30))


def _overdue(world, n, **fields):
    """Managers appointed after the mandate who never started: overdue on their start."""
    return f.ParticipantFactory.create_batch(
        n, municipality=world.borlange, appointed_on=date(2025, 8, 1), **fields
    )


def test_municipality_page_shows_mandate_counts_and_the_overdue(client, world, personas, mandate):
    late = _overdue(world, 2, administration=world.borlange_social)
    client.force_login(personas.hr_borlange)
    response = client.get(reverse("enrolment:compliance_municipality", args=["2081"]))
    assert response.status_code == 200
    result = response.context["result"]
    assert result.mandate == mandate
    assert result.counts[Status.OVERDUE] == 3  # the two and the persona (in post, not started)
    attention = {row.participant for row, _checkbox in response.context["attention"]}
    assert set(late) <= attention
    html = response.content.decode()
    assert "KS 2025/123" in html
    assert late[0].last_name in html


def test_filter_by_administration_narrows_the_list(client, world, personas, mandate):
    _overdue(world, 2, administration=world.borlange_care)
    client.force_login(personas.hr_borlange)
    url = reverse("enrolment:compliance_municipality", args=["2081"])
    response = client.get(url, {"administration": world.borlange_care.pk})
    assert response.context["result"].total == 2
    # A bogus filter value is ignored, not a 500.
    assert client.get(url, {"administration": "abc", "operational_area": "x"}).status_code == 200


def test_head_of_one_administration_sees_only_its_managers(client, world, personas, mandate):
    _overdue(world, 3, administration=world.borlange_care)
    client.force_login(personas.head_borlange_social)
    response = client.get(reverse("enrolment:compliance_municipality", args=["2081"]))
    assert [r.participant for r in response.context["result"].rows] == [
        personas.manager_participant
    ]


def test_export_holds_the_rows_of_the_page(client, world, personas, mandate):
    import csv
    import io

    late = _overdue(world, 2)
    client.force_login(personas.hr_borlange)
    response = client.get(reverse("enrolment:compliance_export", args=["2081", "csv"]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert {r[2] for r in rows[1:]} == {p.email for p in [*late, personas.manager_participant]}


@pytest.mark.parametrize(
    "name,args",
    [
        ("enrolment:compliance_municipality", ["2081"]),
        ("enrolment:compliance_export", ["2081", "xlsx"]),
        ("enrolment:mandate_list", ["2081"]),
        ("enrolment:mandate_create", ["2081"]),
    ],
)
@pytest.mark.parametrize("persona", ["hr_falun", "council", "manager", "no_role"])
def test_borlange_compliance_and_mandate_are_404_outside_scope(
    client, personas, mandate, name, args, persona
):
    client.force_login(getattr(personas, persona))
    assert client.get(reverse(name, args=args)).status_code == 404


def test_hr_of_falun_cannot_edit_borlange_mandate(client, personas, mandate):
    client.force_login(personas.hr_falun)
    url = reverse("enrolment:mandate_update", args=["2081", mandate.pk])
    response = client.post(url, {"decided_on": "2025-01-01", "effective_from": "2025-01-01"})
    assert response.status_code == 404
    mandate.refresh_from_db()
    assert mandate.decided_on == date(2025, 6, 10)


def test_head_of_administration_reads_but_cannot_edit_the_mandate(client, personas, mandate):
    client.force_login(personas.head_borlange)
    assert (
        client.get(reverse("enrolment:compliance_municipality", args=["2081"])).status_code == 200
    )
    assert client.get(reverse("enrolment:mandate_list", args=["2081"])).status_code == 404


def test_a_mandate_of_another_municipality_is_404_in_the_url(client, world, personas, mandate):
    client.force_login(personas.hr_falun)
    url = reverse("enrolment:mandate_update", args=["2080", mandate.pk])
    assert client.get(url).status_code == 404


def test_unknown_municipality_code_is_404(client, personas):
    client.force_login(personas.programme_admin)
    assert client.get("/efterlevnad/9999/").status_code == 404
    assert client.get("/efterlevnad/20x1/").status_code == 404
    assert client.get("/efterlevnad/2081/export.pdf").status_code == 404


def test_hr_adds_a_new_version_of_the_mandate(client, world, personas, mandate):
    client.force_login(personas.hr_borlange)
    url = reverse("enrolment:mandate_create", args=["2081"])
    response = client.post(
        url,
        {
            "decided_on": "2026-05-01",
            "decision_body": "Kommunfullmäktige",
            "reference": "KF 2026/7",
            "effective_from": "2027-01-01",
            "positions": ["unit_manager"],
            "start_within_months": "6",
            "complete_within_months": "36",
        },
    )
    assert response.status_code == 302
    assert Mandate.objects.filter(municipality=world.borlange).count() == 2


@pytest.mark.parametrize(
    "data,field",
    [
        ({"effective_from": "2025-07-01"}, "effective_from"),  # clashes with the version in force
        ({"effective_from": "2025-01-01"}, "effective_from"),  # before it was decided
        ({"start_within_months": "0"}, "start_within_months"),
        ({"start_within_months": "abc"}, "start_within_months"),
        ({"decided_on": "32/13/2025"}, "decided_on"),
        ({"positions": ["boss"]}, "positions"),
    ],
)
def test_bad_mandate_input_gives_the_form_back_with_errors(client, personas, mandate, data, field):
    client.force_login(personas.hr_borlange)
    valid = {
        "decided_on": "2025-06-10",
        "decision_body": "KS",
        "effective_from": "2026-01-01",
        "start_within_months": "12",
        "complete_within_months": "36",
    }
    response = client.post(reverse("enrolment:mandate_create", args=["2081"]), {**valid, **data})
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert Mandate.objects.count() == 1


def test_a_mandate_needs_a_deadline_rule(client, personas):
    client.force_login(personas.hr_borlange)
    response = client.post(
        reverse("enrolment:mandate_create", args=["2081"]),
        {"decided_on": "2025-06-10", "decision_body": "KS", "effective_from": "2025-07-01"},
    )
    assert response.context["form"].non_field_errors()
    assert not Mandate.objects.exists()


def test_regional_page_hides_groups_under_five(client, world, personas, mandate):
    _overdue(world, 6)
    f.MandateFactory(municipality=world.falun)
    f.ParticipantFactory.create_batch(3, municipality=world.falun, appointed_on=date(2025, 8, 1))
    client.force_login(personas.council)
    response = client.get(reverse("enrolment:compliance_region"))
    html = response.content.decode()
    falun = html[html.index('data-municipality="2080"') :]
    falun = falun[: falun.index("</tr>")]
    assert "&lt;5" in falun
    assert ">3<" not in falun
    borlange = html[html.index('data-municipality="2081"') :]
    borlange = borlange[: borlange.index("</tr>")]
    assert ">7<" in borlange
    assert "100 %" in borlange
    assert personas.manager_participant.last_name not in html


def _borlange_row(client) -> str:
    html = client.get(reverse("enrolment:compliance_region")).content.decode()
    row = html[html.index('data-municipality="2081"') :]
    return row[: row.index("</tr>")]


def test_regional_page_kept_for_the_day_is_read_without_computing_it(
    client, world, personas, mandate, django_assert_max_num_queries
):
    _overdue(world, 6)
    client.force_login(personas.council)
    first = _borlange_row(client)
    with django_assert_max_num_queries(8):
        kept = _borlange_row(client)
    assert kept == first


def test_regional_page_shows_a_write_at_once(client, world, personas, mandate):
    _overdue(world, 6)
    client.force_login(personas.council)
    assert ">7<" in _borlange_row(client)
    _overdue(world, 1)
    assert ">8<" in _borlange_row(client)


def test_regional_page_kept_exact_for_an_administrator_is_never_shown_to_the_council(
    client, world, personas, mandate
):
    """The exact table and the disclosed one are kept apart: a council member reading
    after a programme administrator sees "<5", not the administrator's small count."""
    f.MandateFactory(municipality=world.falun)
    f.ParticipantFactory.create_batch(3, municipality=world.falun, appointed_on=date(2025, 8, 1))

    def falun_row():
        html = client.get(reverse("enrolment:compliance_region")).content.decode()
        row = html[html.index('data-municipality="2080"') :]
        return row[: row.index("</tr>")]

    client.force_login(personas.programme_admin)
    assert ">3<" in falun_row()
    client.force_login(personas.council)
    row = falun_row()
    assert "&lt;5" in row and ">3<" not in row


@pytest.mark.parametrize("persona", ["hr_borlange", "head_borlange", "manager", "no_role"])
def test_regional_page_is_for_council_and_programme_administrators(client, personas, persona):
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("enrolment:compliance_region")).status_code == 404


def test_municipality_of_2000_managers_in_a_constant_number_of_queries(
    world, mandate, django_assert_max_num_queries
):
    Participant.objects.bulk_create(
        Participant(
            first_name="Chef",
            last_name=f"Nummer{i}",
            email=f"chef{i}@borlange.se",
            municipality=world.borlange,
            appointed_on=date(2024, 1, 1),
        )
        for i in range(2000)
    )
    # One query more than before deadline decisions: the decisions of all 2,000 at once.
    with django_assert_max_num_queries(9):
        result = municipality_compliance(municipality=world.borlange, on=date(2026, 11, 22))
    assert result.total == 2000


def test_snapshot_for_a_month_run_twice_keeps_one(world, mandate):
    _overdue(world, 2)
    assert compliance_snapshot_take(month=date(2026, 11, 1)) == 1
    assert compliance_snapshot_take(month=date(2026, 11, 15)) == 1
    (snapshot,) = ComplianceSnapshot.objects.all()
    assert snapshot.month == date(2026, 11, 1)
    assert snapshot.counts[Status.OVERDUE] == 2
    assert snapshot.total == 2


def test_snapshot_task_runs_on_a_real_worker_and_is_idempotent(transactional_db, celery_worker):
    region = f.RegionFactory()
    programme = f.ProgrammeFactory(region=region)
    for position in range(1, 5):
        f.SlotFactory(programme=programme, position=position)
    borlange = f.MunicipalityFactory(region=region, name="Borlänge", code="2081")
    f.MandateFactory(municipality=borlange)
    f.ParticipantFactory.create_batch(3, municipality=borlange, appointed_on=date(2025, 8, 1))
    month = timezone.localdate().replace(day=1).isoformat()
    assert compliance_snapshot_monthly.delay(month).get(timeout=60) == 1
    assert compliance_snapshot_monthly.delay(month).get(timeout=60) == 1
    (snapshot,) = ComplianceSnapshot.objects.all()
    assert snapshot.total == 3


def test_own_page_shows_the_managers_status(client, personas, mandate):
    client.force_login(personas.manager)
    response = client.get(reverse("enrolment:my_programme"))
    assert response.context["compliance"].status == Status.OVERDUE


# --- nominating from compliance; who must start next term --------------------------------


@pytest.fixture
def open_offering(world):
    return f.OfferingFactory(course=world.courses["new"], term="VT2027")


def test_hr_gets_nominate_next_to_the_overdue_at_risk_and_not_started(
    client, world, personas, mandate, open_offering
):
    late = _overdue(world, 1, administration=world.borlange_social)[0]
    fresh = f.ParticipantFactory(
        municipality=world.borlange,
        administration=world.borlange_social,
        appointed_on=timezone.localdate(),
    )
    client.force_login(personas.hr_borlange)
    url = reverse("enrolment:compliance_municipality", args=["2081"])
    response = client.get(url)
    attention = {row.participant: checkbox for row, checkbox in response.context["attention"]}
    not_started = {row.participant: checkbox for row, checkbox in response.context["not_started"]}
    assert attention[late] is not None
    assert set(not_started) == {fresh}
    assert not_started[fresh] is not None
    html = response.content.decode()
    form = html.index('id="compliance-nominate"')
    assert form < html.index('id="attention"')
    assert f'name="next" value="{url}"' in html
    assert reverse("enrolment:participant_detail", args=[fresh.pk]) + "#nominate" in html


def test_nominating_from_the_compliance_page_goes_through_the_service_and_back(
    client, world, personas, mandate, open_offering
):
    late = _overdue(world, 2, administration=world.borlange_social)
    client.force_login(personas.hr_borlange)
    back = reverse("enrolment:compliance_municipality", args=["2081"])
    response = client.post(
        reverse("enrolment:participant_bulk_nominate"),
        {"offering": open_offering.pk, "participants": [p.pk for p in late], "next": back},
    )
    assert response.status_code == 302
    assert response.url == back
    assert {e.participant for e in open_offering.enrolments.all()} == set(late)
    assert all(e.events.get().actor == personas.hr_borlange for e in open_offering.enrolments.all())


def test_heads_of_administration_read_compliance_without_a_nomination_form(
    client, world, personas, mandate, open_offering
):
    _overdue(world, 1, administration=world.borlange_social)
    client.force_login(personas.head_borlange)
    response = client.get(reverse("enrolment:compliance_municipality", args=["2081"]))
    assert response.context["bulk_form"] is None
    assert reverse("enrolment:participant_bulk_nominate").encode() not in response.content
    assert b'type="checkbox"' not in response.content


def _must_start(client, user, code="2081"):
    client.force_login(user)
    return client.get(reverse("enrolment:compliance_must_start", args=[code]))


def test_who_must_start_lists_those_not_begun_with_a_start_deadline_by_next_terms_end(
    client, world, personas, mandate, open_offering
):
    today = timezone.localdate()
    overdue = _overdue(world, 1, administration=world.borlange_social)[0]
    # Twelve months to start: due in about two months, within next term whatever today is.
    soon = f.ParticipantFactory(
        municipality=world.borlange, appointed_on=today - timedelta(days=300)
    )
    later = f.ParticipantFactory(municipality=world.borlange, appointed_on=today)
    begun = f.ParticipantFactory(municipality=world.borlange, appointed_on=date(2025, 8, 1))
    f.pass_course(begun, world.courses["new"], "HT2025")
    waiting = f.ParticipantFactory(municipality=world.borlange, appointed_on=date(2025, 8, 1))
    f.EnrolmentFactory(participant=waiting, offering=open_offering, state="nominated")
    response = _must_start(client, personas.hr_borlange)
    assert response.status_code == 200
    listed = [row.participant for row, _checkbox, _planned in response.context["rows"]]
    assert {overdue, soon, waiting, personas.manager_participant} == set(listed)
    assert later not in listed and begun not in listed
    planned = {row.participant: p for row, _c, p in response.context["rows"]}
    assert [sp.current.offering for sp in planned[waiting]] == [open_offering]
    assert response.context["bulk_form"] is not None
    assert str(response.context["term"]).encode() in response.content


@pytest.mark.parametrize(
    "persona",
    ["hr_falun", "head_borlange", "head_borlange_social", "council", "manager", "no_role"],
)
def test_who_must_start_in_borlange_is_404_outside_hr_and_programme_administration(
    client, personas, mandate, persona
):
    assert _must_start(client, getattr(personas, persona)).status_code == 404


@pytest.mark.parametrize("persona", ["hr_borlange", "programme_admin"])
def test_who_must_start_in_borlange_answers_hr_and_programme_administration(
    client, personas, mandate, persona
):
    assert _must_start(client, getattr(personas, persona)).status_code == 200


def test_who_must_start_without_a_mandate_says_so(client, personas):
    response = _must_start(client, personas.hr_borlange)
    assert response.status_code == 200
    assert response.context["rows"] == []


@pytest.mark.parametrize("size", [1, 30])
def test_who_must_start_runs_in_constant_queries(
    client, world, personas, mandate, open_offering, django_assert_max_num_queries, size
):
    _overdue(world, size, administration=world.borlange_social)
    client.force_login(personas.hr_borlange)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("enrolment:compliance_must_start", args=["2081"]))
    assert len(response.context["rows"]) == size + 1


def test_the_compliance_page_links_to_who_must_start_for_hr_only(client, personas, mandate):
    link = reverse("enrolment:compliance_must_start", args=["2081"]).encode()
    client.force_login(personas.hr_borlange)
    assert link in client.get(reverse("enrolment:compliance_municipality", args=["2081"])).content
    client.force_login(personas.head_borlange)
    assert (
        link not in client.get(reverse("enrolment:compliance_municipality", args=["2081"])).content
    )
