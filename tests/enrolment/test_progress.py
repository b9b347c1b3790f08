from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from enrolment.models import EnrolmentState
from enrolment.progress import SlotStatus, progress_for, progress_of
from programmes.terms import Term
from tests import factories as f
from tests.budgets import STANDING_REFRESH


@pytest.fixture
def participant(world):
    return f.ParticipantFactory(municipality=world.borlange)


def test_a_pass_in_either_slot_one_course_fills_slot_one(world, participant):
    f.pass_course(participant, world.courses["collab"], "HT2022")
    progress = progress_of(participant)
    slot_one = progress.slots[0]
    assert slot_one.status == SlotStatus.PASSED
    assert slot_one.course_title == "Ledarskap för effektivt samarbete"
    assert progress.credits == Decimal("7.5")
    assert progress.slots_filled == 1


def test_two_passes_in_slot_one_count_once(world, participant):
    f.pass_course(participant, world.courses["new"], "HT2022")
    f.pass_course(participant, world.courses["collab"], "HT2023")
    progress = progress_of(participant)
    assert progress.slots_filled == 1
    assert progress.credits == Decimal("7.5")
    assert progress.slots[0].course_title == "Ny som ledare"
    assert not progress.is_complete


def test_four_passes_complete_the_programme_at_30_hp(world, participant):
    for course, term in [
        (world.courses["new"], "HT2022"),
        (world.courses["steering"], "VT2023"),
        (world.courses["law"], "HT2023"),
        (world.courses["systems"], "VT2024"),
    ]:
        f.pass_course(participant, course, term)
    progress = progress_of(participant)
    assert progress.is_complete
    assert progress.credits == Decimal("30.0")
    assert progress.percent == 100
    assert progress.completed_on == Term.parse("VT2024").end


def test_three_passes_and_a_credit_transfer_complete_the_programme(world, participant):
    f.pass_course(participant, world.courses["new"], "HT2022")
    f.pass_course(participant, world.courses["steering"], "VT2023")
    f.pass_course(participant, world.courses["systems"], "VT2024")
    f.CreditTransferFactory(participant=participant, slot=world.slots[2])
    progress = progress_of(participant)
    assert progress.slots[2].status == SlotStatus.CREDITED
    assert progress.is_complete
    assert progress.credits == Decimal("30.0")


def test_a_credit_transfer_for_the_whole_programme_completes_it(world, participant):
    f.CreditTransferFactory(participant=participant, programme=world.programme, slot=None)
    progress = progress_of(participant)
    assert progress.is_complete
    assert progress.exempt_from_programme
    assert progress.credits == Decimal("30.0")


def test_failed_and_withdrawn_courses_do_not_count(world, participant):
    offering = f.offering_for(world.courses["new"], "HT2022")
    f.EnrolmentFactory(
        participant=participant, offering=offering, state=EnrolmentState.FAILED, grade="U"
    )
    other = f.offering_for(world.courses["steering"], "VT2023")
    f.EnrolmentFactory(participant=participant, offering=other, state=EnrolmentState.WITHDRAWN)
    progress = progress_of(participant)
    assert progress.credits == 0
    assert not progress.has_started
    assert progress.next_slot.slot == world.slots[0]


def test_an_active_enrolment_shows_the_slot_in_progress(world, participant):
    f.EnrolmentFactory(
        participant=participant, offering=f.offering_for(world.courses["law"], "HT2026")
    )
    progress = progress_of(participant)
    assert progress.slots[2].status == SlotStatus.IN_PROGRESS
    assert progress.has_started
    assert progress.credits == 0
    assert progress.next_slot.slot == world.slots[0]


def test_database_itself_refuses_a_second_active_enrolment_in_a_slot(world, participant):
    f.EnrolmentFactory(
        participant=participant, offering=f.offering_for(world.courses["new"], "HT2025")
    )
    second = f.offering_for(world.courses["collab"], "HT2025")
    with pytest.raises(IntegrityError), transaction.atomic():
        # The ORM is bypassed on purpose: the rule must hold in the database itself.
        f.EnrolmentFactory(
            participant=participant, offering=second, state=EnrolmentState.WAITLISTED
        )


def test_a_new_enrolment_is_allowed_after_a_withdrawal(world, participant):
    f.EnrolmentFactory(
        participant=participant,
        offering=f.offering_for(world.courses["new"], "HT2024"),
        state=EnrolmentState.WITHDRAWN,
    )
    again = f.EnrolmentFactory(
        participant=participant, offering=f.offering_for(world.courses["new"], "HT2025")
    )
    assert again.pk


def test_database_refuses_a_pass_without_a_pass_grade(world, participant):
    with pytest.raises(IntegrityError), transaction.atomic():
        f.EnrolmentFactory(
            participant=participant,
            offering=f.offering_for(world.courses["new"], "HT2025"),
            state=EnrolmentState.PASSED,
            grade="U",
        )


@pytest.mark.parametrize("size", [10, 500])
def test_progress_for_a_list_runs_in_a_constant_number_of_queries(
    world, django_assert_max_num_queries, size
):
    participants = f.ParticipantFactory.create_batch(size, municipality=world.falun)
    offering = f.offering_for(world.courses["new"], "HT2022", state="finished")
    for participant in participants[::2]:
        f.PassedEnrolmentFactory(participant=participant, offering=offering)
    f.CreditTransferFactory(participant=participants[1], slot=world.slots[1])
    listed = list(type(participants[0]).objects.select_related("municipality"))
    with django_assert_max_num_queries(4):
        progress = progress_for(listed)
    assert len(progress) == size
    assert sum(p.credits for p in progress.values()) == Decimal("7.5") * (
        len(participants[::2]) + 1
    )


def test_progress_of_a_participant_in_a_region_without_a_programme_is_empty(db):
    participant = f.ParticipantFactory(
        municipality=f.MunicipalityFactory(region=f.RegionFactory(county_code="21"))
    )
    progress = progress_of(participant)
    assert progress.programme is None
    assert progress.credits == 0
    assert not progress.is_complete
    assert participant.appointed_on == date(2023, 3, 1)


def test_overview_counts_in_sql_agree_with_progress_and_do_not_grow_with_managers(
    world, django_assert_max_num_queries
):
    from enrolment.models import Participant
    from enrolment.selectors import overview_by_municipality

    done = f.ParticipantFactory(municipality=world.borlange)
    for course, term in [
        (world.courses["new"], "HT2022"),
        (world.courses["steering"], "VT2023"),
        (world.courses["law"], "HT2023"),
        (world.courses["systems"], "VT2024"),
    ]:
        f.pass_course(done, course, term)
    started = f.ParticipantFactory(municipality=world.borlange)
    f.pass_course(started, world.courses["collab"], "HT2023")
    exempt = f.ParticipantFactory(municipality=world.falun)
    f.CreditTransferFactory(participant=exempt, programme=world.programme, slot=None)
    f.ParticipantFactory.create_batch(3, municipality=world.falun)
    f.ParticipantFactory(municipality=world.falun, left_on=date(2025, 1, 1))

    people = Participant.objects.select_related("municipality")
    with django_assert_max_num_queries(3 + STANDING_REFRESH):
        rows = {r.municipality.name: r for r in overview_by_municipality(people)}
    in_post = [p for p in people if p.left_on is None]
    progress = progress_for(in_post)
    for name, row in rows.items():
        mine = [p for p in in_post if p.municipality.name == name]
        assert row.managers == len(mine)
        assert row.started == sum(progress[p.pk].has_started for p in mine)
        assert row.completed == sum(progress[p.pk].is_complete for p in mine)
        assert row.credits == sum(progress[p.pk].credits for p in mine)
    assert (rows["Borlänge"].completed, rows["Falun"].completed) == (1, 1)
    assert (rows["Borlänge"].credits, rows["Falun"].managers) == (Decimal("37.5"), 4)
