import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from enrolment.models import Enrolment, EnrolmentEvent, EnrolmentState
from enrolment.progress import progress_of
from enrolment.services.enrolments import (
    ORDER,
    SAME_TERM,
    NominationNeedsConfirmation,
    enrolment_admit,
    enrolment_nominate,
    enrolment_record_result,
    enrolment_register,
    enrolment_withdraw,
    enrolments_nominate,
    nomination_check,
    nomination_plan,
)
from enrolment.services.requests import nomination_request_accept, nomination_request_create
from programmes.models import OfferingState
from tests import factories as f

S = EnrolmentState


@pytest.fixture
def offering(world):
    return f.OfferingFactory(course=world.courses["new"], term="VT2027", seats=2)


@pytest.fixture
def admin(personas):
    return personas.programme_admin


def test_nomination_records_who_and_when(world, offering, admin):
    participant = f.ParticipantFactory(municipality=world.borlange)
    enrolment = enrolment_nominate(participant=participant, offering=offering, actor=admin)
    assert enrolment.state == S.NOMINATED
    assert enrolment.slot == world.slots[0]
    event = enrolment.events.get()
    assert (event.from_state, event.to_state, event.actor) == ("", S.NOMINATED, admin)


def test_a_second_nomination_in_the_same_slot_is_refused_with_a_reason(world, offering, admin):
    participant = f.ParticipantFactory(municipality=world.borlange, first_name="Åke")
    enrolment_nominate(participant=participant, offering=offering, actor=admin)
    other = f.OfferingFactory(course=world.courses["collab"], term="VT2027")
    with pytest.raises(ValidationError) as excinfo:
        enrolment_nominate(participant=participant, offering=other, actor=admin)
    assert "Åke" in excinfo.value.messages[0]
    assert "VT2027" in excinfo.value.messages[0]


def test_a_filled_slot_cannot_be_nominated_again(world, offering, admin):
    participant = f.ParticipantFactory(municipality=world.borlange)
    f.pass_course(participant, world.courses["collab"], "HT2023")
    with pytest.raises(ValidationError) as excinfo:
        enrolment_nominate(participant=participant, offering=offering, actor=admin)
    assert excinfo.value.code == "cannot_nominate"
    assert not Enrolment.objects.filter(offering=offering).exists()


def test_a_closed_offering_refuses_nomination(world, admin):
    closed = f.OfferingFactory(course=world.courses["law"], state=OfferingState.CLOSED)
    participant = f.ParticipantFactory(municipality=world.borlange)
    with pytest.raises(ValidationError):
        enrolment_nominate(participant=participant, offering=closed, actor=admin)


def test_a_manager_who_left_cannot_be_nominated(world, offering, admin):
    participant = f.ParticipantFactory(municipality=world.borlange, left_on=date(2025, 1, 1))
    with pytest.raises(ValidationError):
        enrolment_nominate(participant=participant, offering=offering, actor=admin)


def test_bulk_nomination_reports_each_refusal(world, offering, admin):
    fine = f.ParticipantFactory.create_batch(2, municipality=world.borlange)
    done = f.ParticipantFactory(municipality=world.borlange)
    f.pass_course(done, world.courses["new"], "HT2022")
    result = enrolments_nominate(participants=[*fine, done], offering=offering, actor=admin)
    assert [e.participant for e in result.nominated] == fine
    assert [p for p, _ in result.refused] == [done]


def test_admission_fills_seats_then_waitlists_and_a_freed_seat_goes_to_the_next(
    world, offering, admin
):
    enrolments = [
        enrolment_nominate(
            participant=f.ParticipantFactory(municipality=world.borlange),
            offering=offering,
            actor=admin,
        )
        for _ in range(4)
    ]
    states = [enrolment_admit(enrolment=e, actor=admin).state for e in enrolments]
    assert states == [S.ADMITTED, S.ADMITTED, S.WAITLISTED, S.WAITLISTED]
    enrolment_withdraw(enrolment=enrolments[0], actor=admin, note="Byter tjänst")
    refreshed = {e.pk: Enrolment.objects.get(pk=e.pk) for e in enrolments}
    assert refreshed[enrolments[2].pk].state == S.ADMITTED
    assert refreshed[enrolments[3].pk].state == S.WAITLISTED
    assert refreshed[enrolments[3].pk].waitlist_position == 2


def test_result_is_validated_and_recorded_with_its_event(world, admin):
    offering = f.OfferingFactory(course=world.courses["law"], term="HT2025")
    participant = f.ParticipantFactory(municipality=world.borlange)
    enrolment = f.EnrolmentFactory(participant=participant, offering=offering)
    with pytest.raises(ValidationError) as excinfo:
        enrolment_record_result(
            enrolment=enrolment,
            grade="G",
            credits=Decimal("9"),
            result_date=timezone.localdate() + timedelta(days=3),
            actor=admin,
        )
    assert set(excinfo.value.message_dict) == {"credits", "result_date"}
    enrolment_record_result(
        enrolment=enrolment,
        grade="VG",
        credits=Decimal("7.5"),
        result_date=offering.end_date,
        actor=admin,
    )
    assert progress_of(participant).slots[2].is_filled
    assert EnrolmentEvent.objects.filter(enrolment=enrolment, to_state=S.PASSED).exists()


def test_register_refuses_a_nominated_enrolment(world, offering, admin):
    enrolment = enrolment_nominate(
        participant=f.ParticipantFactory(municipality=world.borlange),
        offering=offering,
        actor=admin,
    )
    with pytest.raises(ValidationError):
        enrolment_register(enrolment=enrolment, actor=admin)


def test_twenty_concurrent_admissions_to_five_seats_never_oversell(transactional_db):
    world_offering = f.OfferingFactory(term="VT2027", seats=5)
    participants = f.ParticipantFactory.create_batch(
        20, municipality=f.MunicipalityFactory(region=world_offering.course.slot.programme.region)
    )
    enrolments = [
        Enrolment.objects.create(
            participant=p, offering=world_offering, slot=world_offering.course.slot
        )
        for p in participants
    ]
    barrier = threading.Barrier(20)
    errors = []

    def admit(enrolment):
        try:
            barrier.wait()
            enrolment_admit(enrolment=enrolment, actor=None)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=admit, args=(e,)) for e in enrolments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    rows = Enrolment.objects.filter(offering=world_offering)
    assert rows.filter(state=S.ADMITTED).count() == 5
    waitlisted = list(rows.filter(state=S.WAITLISTED).order_by("waitlist_position"))
    assert len(waitlisted) == 15
    assert [e.waitlist_position for e in waitlisted] == list(range(1, 16))
    # "In order": the waitlist follows the order in which the admissions were decided.
    decided = list(
        EnrolmentEvent.objects.filter(enrolment__offering=world_offering, to_state=S.WAITLISTED)
        .order_by("id")
        .values_list("enrolment_id", flat=True)
    )
    assert decided == [e.pk for e in waitlisted]


# --- The programme's rules at nomination ----------------------------------------------


def _borlange_manager(world, **fields):
    return f.ParticipantFactory(municipality=world.borlange, **fields)


def test_the_second_alternative_of_course_1_is_refused_while_the_first_is_planned(world, admin):
    participant = _borlange_manager(world, first_name="Åke")
    first = f.OfferingFactory(course=world.courses["new"], term="VT2027")
    enrolment_nominate(participant=participant, offering=first, actor=admin)
    second = f.OfferingFactory(course=world.courses["collab"], term="HT2027")
    with pytest.raises(ValidationError) as excinfo:
        enrolment_nominate(participant=participant, offering=second, actor=admin)
    assert excinfo.value.code == "cannot_nominate"
    assert "Ny som ledare" in excinfo.value.messages[0]
    assert "HT2027" not in excinfo.value.messages[0]
    assert not Enrolment.objects.filter(offering=second).exists()


def test_the_second_alternative_of_course_1_is_refused_after_the_first_is_passed(world, admin):
    participant = _borlange_manager(world)
    f.pass_course(participant, world.courses["new"], "HT2023")
    other = f.OfferingFactory(course=world.courses["collab"], term="VT2027")
    check = nomination_check(participant, other)
    assert check.refusal and check.warnings == []
    with pytest.raises(ValidationError):
        enrolment_nominate(participant=participant, offering=other, actor=admin)
    assert not Enrolment.objects.filter(offering=other).exists()


def test_a_slot_filled_by_credit_transfer_is_refused(world, admin):
    participant = _borlange_manager(world)
    f.CreditTransferFactory(participant=participant, slot=world.slots[1])
    offering = f.OfferingFactory(course=world.courses["steering"], term="VT2027")
    with pytest.raises(ValidationError) as excinfo:
        enrolment_nominate(participant=participant, offering=offering, actor=admin)
    assert excinfo.value.code == "cannot_nominate"


def test_the_other_alternative_is_allowed_after_failing_the_first(world, admin):
    participant = _borlange_manager(world)
    failed = f.offering_for(world.courses["new"], "HT2025", state=OfferingState.FINISHED)
    f.EnrolmentFactory(participant=participant, offering=failed, state=S.FAILED, grade="U")
    other = f.OfferingFactory(course=world.courses["collab"], term="VT2027")
    enrolment = enrolment_nominate(participant=participant, offering=other, actor=admin)
    assert enrolment.state == S.NOMINATED


def test_two_courses_in_one_term_warn_and_nominate_nothing_until_confirmed(world, admin):
    participant = _borlange_manager(world)
    enrolment_nominate(
        participant=participant,
        offering=f.OfferingFactory(course=world.courses["new"], term="VT2027"),
        actor=admin,
    )
    second = f.OfferingFactory(course=world.courses["steering"], term="VT2027")
    with pytest.raises(NominationNeedsConfirmation) as excinfo:
        enrolment_nominate(participant=participant, offering=second, actor=admin)
    assert [w.code for w in excinfo.value.warnings] == [SAME_TERM]
    assert "VT2027" in excinfo.value.messages[0]
    assert "Ny som ledare" in excinfo.value.messages[0]
    assert not Enrolment.objects.filter(offering=second).exists()

    enrolment = enrolment_nominate(
        participant=participant, offering=second, actor=admin, confirmed={SAME_TERM}
    )
    assert enrolment.state == S.NOMINATED
    assert "VT2027" in enrolment.events.get().note


def test_a_course_before_an_earlier_one_of_the_recommended_order_warns(world, admin):
    participant = _borlange_manager(world)
    systems = f.OfferingFactory(course=world.courses["systems"], term="VT2027")
    check = nomination_check(participant, systems)
    assert check.refusal is None
    assert [w.code for w in check.warnings] == [ORDER]
    assert "1, 2, 3" in check.warnings[0].message
    with pytest.raises(NominationNeedsConfirmation):
        enrolment_nominate(participant=participant, offering=systems, actor=admin)
    # A confirmation of another warning is no confirmation of this one.
    with pytest.raises(NominationNeedsConfirmation):
        enrolment_nominate(
            participant=participant, offering=systems, actor=admin, confirmed={SAME_TERM}
        )
    enrolment = enrolment_nominate(
        participant=participant, offering=systems, actor=admin, confirmed={ORDER}
    )
    assert enrolment.slot == world.slots[3]


def test_the_recommended_order_is_kept_when_earlier_courses_are_done_or_planned_before(
    world, admin
):
    participant = _borlange_manager(world)
    f.pass_course(participant, world.courses["new"], "HT2024")
    f.CreditTransferFactory(participant=participant, slot=world.slots[1])
    enrolment_nominate(
        participant=participant,
        offering=f.OfferingFactory(course=world.courses["law"], term="VT2027"),
        actor=admin,
    )
    systems = f.OfferingFactory(course=world.courses["systems"], term="HT2027")
    assert nomination_check(participant, systems).warnings == []


def test_an_earlier_course_planned_after_this_one_still_warns_of_the_order(world, admin):
    participant = _borlange_manager(world)
    enrolment_nominate(
        participant=participant,
        offering=f.OfferingFactory(course=world.courses["new"], term="HT2027"),
        actor=admin,
    )
    steering = f.OfferingFactory(course=world.courses["steering"], term="VT2027")
    assert [w.code for w in nomination_check(participant, steering).warnings] == [ORDER]


def test_bulk_nomination_holds_back_the_warned_until_confirmed(world, offering, admin):
    fine = _borlange_manager(world)
    busy = _borlange_manager(world)
    enrolment_nominate(
        participant=busy,
        offering=f.OfferingFactory(course=world.courses["steering"], term="VT2027"),
        actor=admin,
        confirmed={ORDER},
    )
    result = enrolments_nominate(participants=[fine, busy], offering=offering, actor=admin)
    assert [e.participant for e in result.nominated] == [fine]
    assert [p for p, _w in result.warned] == [busy]
    assert result.warning_codes == [SAME_TERM]
    again = enrolments_nominate(
        participants=[busy], offering=offering, actor=admin, confirmed=result.warning_codes
    )
    assert [e.participant for e in again.nominated] == [busy]


def test_the_plan_lists_slots_by_term_with_what_fills_them(world, admin):
    participant = _borlange_manager(world)
    f.pass_course(participant, world.courses["collab"], "HT2024")
    f.CreditTransferFactory(participant=participant, slot=world.slots[2])
    enrolment_nominate(
        participant=participant,
        offering=f.OfferingFactory(course=world.courses["steering"], term="VT2027"),
        actor=admin,
    )
    plan = nomination_plan(participant)
    assert [(e.slot.position, e.term, e.state) for e in plan] == [
        (3, "", "credited"),
        (1, "HT2024", "passed"),
        (2, "VT2027", "planned"),
        (4, "", ""),
    ]
    assert plan[1].course_title == "Ledarskap för effektivt samarbete"


def test_a_request_answered_with_warnings_needs_the_confirmation(world, admin):
    participant = _borlange_manager(world)
    offering = f.OfferingFactory(course=world.courses["law"], term="VT2027")
    request = nomination_request_create(participant=participant, offering=offering)
    with pytest.raises(NominationNeedsConfirmation):
        nomination_request_accept(request=request, actor=admin)
    request.refresh_from_db()
    assert request.state == "open"
    nomination_request_accept(request=request, actor=admin, confirmed={ORDER})
    request.refresh_from_db()
    assert request.state == "nominated"
