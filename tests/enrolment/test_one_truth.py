"""Each page, list, report and certificate says the same thing about a manager.

One test per finding of the review behind `enrolment.facts`: each shows the behaviour a
user expects, asked of every place that states the fact.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from enrolment.compliance import Status, municipality_compliance
from enrolment.models import CreditTransfer, EnrolmentState, Participant
from enrolment.progress import ProgrammeStatus, progress_of, with_programme_status
from enrolment.selectors import overview_by_municipality
from enrolment.services.enrolments import (
    enrolment_nominate,
    enrolment_record_result,
    enrolment_withdraw,
    offering_close_waiting,
)
from enrolment.services.participants import participant_update
from enrolment.services.results import credit_transfer_create
from programmes.models import OfferingState
from programmes.terms import Term
from reporting.builders.regional import _participation, _terms
from reporting.followup.figures import key_figures
from reporting.followup.planning import intake_plan
from reporting.models import Certificate
from reporting.services.certificates import certificate_issue
from tests import factories as f

S = EnrolmentState
TODAY = timezone.localdate()
PASSES = (("new", "HT2022"), ("steering", "VT2023"), ("law", "HT2023"), ("systems", "VT2024"))


def _complete(participant, world):
    return [f.pass_course(participant, world.courses[c], t) for c, t in PASSES]


def _status(participant, on=TODAY):
    result = municipality_compliance(municipality=participant.municipality, on=on)
    return next(r for r in result.rows if r.participant.pk == participant.pk)


def _listed(participant, on=None):
    return with_programme_status(Participant.objects.filter(pk=participant.pk), on).get()


@pytest.fixture
def mandate(world):
    return f.MandateFactory(municipality=world.borlange, fixed_completion_date=None)


# --- Waitlisted or only nominated does not count as started --------------------------


def test_waitlisted_manager_past_start_deadline_is_overdue(world, mandate):
    manager = f.ParticipantFactory(municipality=world.borlange, appointed_on=date(2025, 8, 1))
    offering = f.offering_for(world.courses["new"], "HT2026", state=OfferingState.RUNNING)
    f.EnrolmentFactory(participant=manager, offering=offering, state=S.WAITLISTED)
    row = _status(manager)
    assert (row.status, row.deadline) == (Status.OVERDUE, date(2026, 8, 1))


def test_nomination_left_on_a_long_finished_offering_does_not_keep_a_manager_on_track(
    world, mandate
):
    manager = f.ParticipantFactory(municipality=world.borlange, appointed_on=date(2025, 8, 1))
    finished = f.offering_for(world.courses["new"], "HT2023", state=OfferingState.FINISHED)
    f.EnrolmentFactory(participant=manager, offering=finished, state=S.NOMINATED)
    assert _status(manager).status == Status.OVERDUE
    assert _listed(manager).programme_status == ProgrammeStatus.NOT_STARTED
    assert progress_of(manager).has_started is False


def test_compliance_and_intake_planning_agree_who_has_begun(world, mandate):
    registered = f.ParticipantFactory(municipality=world.borlange, appointed_on=date(2025, 8, 1))
    waitlisted = f.ParticipantFactory(municipality=world.borlange, appointed_on=date(2025, 8, 1))
    running = f.offering_for(world.courses["new"], "HT2026", state=OfferingState.RUNNING)
    f.EnrolmentFactory(participant=registered, offering=running, state=S.REGISTERED)
    f.EnrolmentFactory(participant=waitlisted, offering=running, state=S.WAITLISTED)
    assert _status(registered).status == Status.ON_TRACK
    assert _status(waitlisted).status == Status.OVERDUE
    plan = intake_plan(municipalities=[world.borlange], region_ids=[world.region.pk], on=TODAY)
    (row,) = plan.rows
    assert (row.in_scope, row.begun, row.to_start) == (2, 1, 1)


# --- Decisions: an exemption never erases a completion; one certificate rule --------


def test_an_exemption_after_completion_is_refused_and_the_completion_stays(world, personas):
    manager = personas.manager_participant
    _complete(manager, world)
    with pytest.raises(ValidationError) as refused:
        credit_transfer_create(
            participant=manager,
            programme=world.programme,
            slot=None,
            kind="exemption",
            reason="Motsvarande utbildning",
            decided_on=TODAY,
            actor=personas.programme_admin,
        )
    assert refused.value.error_dict["slot"][0].code == "completed"
    assert not CreditTransfer.objects.filter(participant=manager).exists()


def test_an_exemption_recorded_after_completion_does_not_erase_it_anywhere(world, personas):
    manager = personas.manager_participant
    _complete(manager, world)
    f.CreditTransferFactory(
        participant=manager, programme=world.programme, slot=None, decided_on=TODAY
    )
    f.MandateFactory(municipality=world.borlange)
    progress = progress_of(manager)
    assert [s.status for s in progress.slots] == ["passed"] * 4
    assert progress.exempt_from_programme is False
    assert _status(manager).status == Status.COMPLETED
    listed = _listed(manager)
    assert (listed.programme_status, listed.programme_exempt) == (ProgrammeStatus.COMPLETED, False)
    assert certificate_issue(participant=manager, on=TODAY).participant == manager


def test_four_slot_credit_transfers_earn_no_certificate_like_a_whole_programme_exemption(
    world, personas
):
    credited = f.ParticipantFactory(municipality=world.borlange)
    for slot in world.slots:
        f.CreditTransferFactory(participant=credited, slot=slot)
    exempt = f.ParticipantFactory(municipality=world.borlange)
    f.CreditTransferFactory(participant=exempt, programme=world.programme, slot=None)
    for manager in (credited, exempt):
        assert progress_of(manager).is_complete
        with pytest.raises(ValidationError) as refused:
            certificate_issue(participant=manager, on=TODAY)
        assert refused.value.code == "not_complete"
        assert "minst en godkänd kurs" in refused.value.messages[0]


def test_one_course_passed_and_the_rest_credited_earns_a_certificate(world, personas):
    manager = personas.manager_participant
    f.pass_course(manager, world.courses["new"], "HT2022")
    f.CreditTransferFactory(participant=manager, programme=world.programme, slot=None)
    assert certificate_issue(participant=manager, on=TODAY).participant == manager


def test_a_pass_corrected_to_a_fail_revokes_the_certificate_on_the_public_page(
    client, world, personas
):
    manager = personas.manager_participant
    passes = _complete(manager, world)
    certificate = certificate_issue(participant=manager, on=TODAY)
    enrolment_record_result(
        enrolment=passes[2],
        grade="U",
        credits=None,
        result_date=passes[2].result_date,
        actor=personas.programme_admin,
    )
    certificate.refresh_from_db()
    assert certificate.is_revoked
    assert "Ledarskapets juridik" in certificate.revoke_reason
    response = client.get(reverse("reporting:certificate_verify", args=[certificate.code]))
    html = response.content.decode()
    assert "revoked" in html or "återkallat" in html
    assert certificate.revoke_reason in html


def test_a_new_certificate_follows_when_the_manager_is_complete_again(world, personas):
    manager = personas.manager_participant
    passes = _complete(manager, world)
    first = certificate_issue(participant=manager, on=TODAY)
    law = passes[2]
    for grade, credits in (("U", None), ("G", Decimal("7.5"))):
        enrolment_record_result(
            enrolment=law,
            grade=grade,
            credits=credits,
            result_date=law.result_date,
            actor=personas.programme_admin,
        )
    second = certificate_issue(participant=manager, on=TODAY)
    assert second.pk != first.pk and second.code != first.code
    assert list(Certificate.objects.filter(participant=manager, revoked_at__isnull=True)) == [
        second
    ]


# --- The regional PDF counts what the key figures count ------------------------------


def test_regional_report_and_key_figures_count_the_same_managers_and_results(world):
    nominated = f.offering_for(world.courses["collab"], "HT2026", state=OfferingState.RUNNING)
    taught = f.offering_for(world.courses["new"], "HT2023", state=OfferingState.FINISHED)
    for person in f.ParticipantFactory.create_batch(6, municipality=world.falun):
        f.EnrolmentFactory(participant=person, offering=nominated, state=S.NOMINATED)
    for person in f.ParticipantFactory.create_batch(6, municipality=world.borlange):
        f.PassedEnrolmentFactory(participant=person, offering=taught)
    for on in (date(2023, 10, 1), TODAY):
        terms = _terms(world.programme, on)
        report = _participation(world.region, world.programme, terms, on)["total"]
        figures = key_figures(region=world.region, on=on)
        assert report.participants == figures.trained_total.total.value
        assert report.credits == (figures.credits_total.total.value or 0)
    # As of a day before the results, nobody has passed yet, in either.
    early = _participation(world.region, world.programme, terms, date(2023, 10, 1))["total"]
    assert (early.participants, early.passed, early.credits) == (6, 0, 0)


# --- A future leaving date: in post until then, everywhere ---------------------------


def test_a_future_leaving_date_keeps_the_manager_in_post_everywhere(world, personas, mandate):
    manager = f.ParticipantFactory(
        municipality=world.borlange,
        appointed_on=date(2025, 8, 1),
        left_on=TODAY + timedelta(days=90),
    )
    assert _listed(manager).programme_status == ProgrammeStatus.NOT_STARTED
    (row,) = overview_by_municipality(Participant.objects.filter(pk=manager.pk))
    assert row.managers == 1
    offering = f.offering_for(world.courses["new"], "VT2027", state=OfferingState.OPEN)
    assert enrolment_nominate(participant=manager, offering=offering, actor=personas.hr_borlange)
    assert _status(manager).status == Status.OVERDUE
    after = manager.left_on
    assert _listed(manager, after).programme_status == ProgrammeStatus.LEFT
    assert all(
        r.participant.pk != manager.pk
        for r in municipality_compliance(municipality=world.borlange, on=after).rows
    )


# --- Moving municipality --------------------------------------------------------------


def _move(manager, personas, world, moved_on):
    participant_update(
        user=personas.programme_admin,
        participant=manager,
        municipality=world.borlange,
        first_name=manager.first_name,
        last_name=manager.last_name,
        email=manager.email,
        position=manager.position,
        appointed_on=manager.appointed_on,
        moved_on=moved_on,
    )
    manager.refresh_from_db()


def test_an_overdue_manager_who_moves_keeps_the_deadline_clock(world, personas):
    f.MandateFactory(municipality=world.falun, fixed_completion_date=None)
    f.MandateFactory(municipality=world.borlange, fixed_completion_date=None)
    manager = f.ParticipantFactory(municipality=world.falun, appointed_on=date(2025, 9, 15))
    _move(manager, personas, world, date(2026, 11, 1))
    row = _status(manager)
    assert (row.complete_by, row.status) == (date(2028, 9, 15), Status.OVERDUE)


def test_a_mandate_may_restart_the_clock_on_arrival(world, personas):
    f.MandateFactory(
        municipality=world.borlange, fixed_completion_date=None, clock_restarts_on_arrival=True
    )
    manager = f.ParticipantFactory(municipality=world.falun, appointed_on=date(2025, 9, 15))
    _move(manager, personas, world, date(2026, 11, 1))
    row = _status(manager)
    assert (row.start_by, row.complete_by) == (date(2027, 11, 1), date(2029, 11, 1))


def test_as_of_a_day_before_the_move_the_manager_is_where_they_were(world, personas):
    f.MandateFactory(municipality=world.falun, fixed_completion_date=None)
    f.MandateFactory(municipality=world.borlange, fixed_completion_date=None)
    manager = f.ParticipantFactory(municipality=world.falun, appointed_on=date(2025, 9, 15))
    _move(manager, personas, world, date(2026, 11, 1))
    before, after = date(2026, 10, 1), date(2026, 11, 2)
    for municipality, on, expected in (
        (world.falun, before, True),
        (world.borlange, before, False),
        (world.falun, after, False),
        (world.borlange, after, True),
    ):
        rows = municipality_compliance(municipality=municipality, on=on).rows
        assert any(r.participant.pk == manager.pk for r in rows) is expected, (municipality, on)


def test_hr_gives_the_date_of_a_move_on_the_form(client, world, personas):
    manager = f.ParticipantFactory(municipality=world.falun, appointed_on=date(2025, 9, 15))
    client.force_login(personas.programme_admin)
    url = reverse("enrolment:participant_update", args=[manager.pk])
    data = {
        "municipality": world.borlange.pk,
        "first_name": manager.first_name,
        "last_name": manager.last_name,
        "email": manager.email,
        "employee_number": "",
        "administration": "",
        "operational_area": manager.operational_area,
        "position": manager.position,
        "appointed_on": "2025-09-15",
    }
    response = client.post(url, data)
    assert response.status_code == 422
    assert "moved_on" in response.context["form"].errors
    response = client.post(url, {**data, "moved_on": "2026-10-01"})
    assert response.status_code == 302
    manager.refresh_from_db()
    assert (manager.municipality, manager.in_municipality_since) == (
        world.borlange,
        date(2026, 10, 1),
    )


# --- Offerings that have started take no one more -------------------------------------


def test_a_freed_seat_on_a_finished_offering_admits_nobody_from_the_waitlist(world, personas):
    finished = f.offering_for(
        world.courses["steering"], "HT2025", state=OfferingState.FINISHED, seats=1
    )
    holder = f.EnrolmentFactory(offering=finished, state=S.REGISTERED)
    waiting = f.EnrolmentFactory(offering=finished, state=S.WAITLISTED, waitlist_position=1)
    enrolment_withdraw(enrolment=holder, actor=personas.programme_admin)
    waiting.refresh_from_db()
    assert waiting.state == S.WAITLISTED


def test_when_an_offering_starts_its_nominations_and_waitlist_are_closed(world, personas):
    running = f.offering_for(world.courses["law"], "HT2026", state=OfferingState.RUNNING)
    nominated = f.EnrolmentFactory(offering=running, state=S.NOMINATED)
    waiting = f.EnrolmentFactory(offering=running, state=S.WAITLISTED, waitlist_position=1)
    seated = f.EnrolmentFactory(offering=running, state=S.REGISTERED)
    closed = offering_close_waiting(offering=running, actor=personas.programme_admin)
    assert {e.pk for e in closed} == {nominated.pk, waiting.pk}
    for enrolment in (nominated, waiting, seated):
        enrolment.refresh_from_db()
    assert (nominated.state, waiting.state, seated.state) == (
        S.WITHDRAWN,
        S.WITHDRAWN,
        S.REGISTERED,
    )
    assert nominated.events.last().note


def test_the_first_term_of_the_regional_report_is_the_programmes(world):
    terms = _terms(world.programme, date(2023, 1, 1))
    assert terms[0] == Term.parse("HT2022")


def test_the_import_and_the_form_refuse_the_same_leaving_dates_in_the_same_words(world, tmp_path):
    from enrolment.services.imports import participants_import_preview
    from enrolment.services.participants import leaving_date_problem
    from tests.enrolment.test_imports import write_csv

    soon, far = TODAY + timedelta(days=90), date(2035, 1, 31)
    path = write_csv(
        tmp_path / "chefer.csv",
        [
            ["Åsa", "Öberg", "asa@falun.se", "2020-01-01", soon.isoformat()],
            ["Bo", "Berg", "bo@falun.se", "2020-01-01", far.isoformat()],
        ],
        header=["Förnamn", "Efternamn", "E-post", "Chef sedan", "Slutat"],
    )
    preview = participants_import_preview(
        file_name=path.name, content=path.read_bytes(), municipality=world.falun
    )
    first, second = preview.rows
    assert first.errors == []
    form_says = leaving_date_problem(Participant(appointed_on=date(2020, 1, 1)), far)
    assert form_says
    assert [e.message for e in second.errors] == [form_says]


@pytest.fixture
def moved_manager(world, personas):
    """A manager of Falun who passed a course in HT2024 and moved to Borlänge on
    2026-11-01."""
    manager = f.ParticipantFactory(municipality=world.falun, appointed_on=date(2024, 1, 1))
    f.pass_course(manager, world.courses["new"], "HT2024")
    _move(manager, personas, world, date(2026, 11, 1))
    return manager


def _trained_and_hp(figures, name):
    trained = next(r for r in figures.trained if r.label == name)
    credits = next(r for r in figures.credits if r.label == name)
    return trained.total.value, credits.total.value


def test_key_figures_as_of_a_day_before_a_move_count_the_manager_in_the_old_municipality(
    world, moved_manager
):
    before = key_figures(region=world.region, on=date(2026, 10, 1))
    assert _trained_and_hp(before, "Falun") == (1, Decimal("7.5"))
    assert _trained_and_hp(before, "Borlänge") == (0, 0)
    after = key_figures(region=world.region, on=date(2026, 11, 2))
    assert _trained_and_hp(after, "Falun") == (0, 0)
    assert _trained_and_hp(after, "Borlänge") == (1, Decimal("7.5"))
    assert after.trained_total.total.value == before.trained_total.total.value == 1


def test_regional_report_as_of_a_day_before_a_move_counts_the_manager_in_the_old_municipality(
    world, moved_manager
):
    def taking_part(on):
        data = _participation(world.region, world.programme, _terms(world.programme, on), on)
        groups = {g.name: g for g in data["groups"]}
        return groups["Falun"].participants, groups["Borlänge"].participants, data["total"]

    falun, borlange, total = taking_part(date(2026, 10, 1))
    assert (falun, borlange, total.participants, total.credits) == (1, 0, 1, Decimal("7.5"))
    falun, borlange, total = taking_part(date(2026, 11, 2))
    assert (falun, borlange, total.participants, total.credits) == (0, 1, 1, Decimal("7.5"))
