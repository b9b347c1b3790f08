from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from enrolment.models import EnrolmentState, Participant
from enrolment.progress import DONE_STATUSES, ProgrammeStatus, progress_for, with_programme_status
from enrolment.services.participants import (
    participant_create,
    participant_record_leaving,
    participant_update,
)
from portal.accounts.models import Role
from tests import factories as f

S = EnrolmentState


def _details(**overrides):
    details = {
        "first_name": "Greta",
        "last_name": "Lind",
        "email": "Greta.Lind@Falun.se ",
        "employee_number": " 4711 ",
        "operational_area": "elderly",
        "position": "unit_manager",
        "appointed_on": date(2024, 2, 1),
    }
    details.update(overrides)
    return details


def test_hr_creates_a_manager_in_own_municipality_with_history_user(world, personas):
    participant = participant_create(
        user=personas.hr_falun,
        municipality=world.falun,
        administration=world.falun_social,
        **_details(),
    )
    participant.refresh_from_db()
    assert participant.municipality == world.falun
    assert participant.email == "greta.lind@falun.se"
    assert participant.employee_number == "4711"
    assert participant.history.get().history_user == personas.hr_falun


def test_hr_of_falun_cannot_create_a_manager_in_borlange_and_nothing_is_written(world, personas):
    with pytest.raises(Http404):
        participant_create(user=personas.hr_falun, municipality=world.borlange, **_details())
    assert not Participant.objects.filter(email="greta.lind@falun.se").exists()
    assert not Participant.history.filter(email="greta.lind@falun.se").exists()


def test_hr_of_one_administration_must_place_a_new_manager_in_it(world):
    hr = f.UserFactory()
    f.RoleAssignmentFactory(user=hr, role=Role.HR_ADMIN, administration=world.borlange_social)
    with pytest.raises(Http404):
        participant_create(user=hr, municipality=world.borlange, **_details())
    created = participant_create(
        user=hr, municipality=world.borlange, administration=world.borlange_social, **_details()
    )
    assert Participant.objects.get().pk == created.pk


def test_an_administration_of_another_municipality_is_refused(world, personas):
    with pytest.raises(ValidationError) as excinfo:
        participant_create(
            user=personas.programme_admin,
            municipality=world.falun,
            administration=world.borlange_social,
            **_details(),
        )
    assert "administration" in excinfo.value.error_dict
    assert not Participant.objects.filter(email="greta.lind@falun.se").exists()


def test_a_duplicate_email_is_a_validation_error_not_a_crash(world, personas):
    f.ParticipantFactory(municipality=world.falun, email="greta.lind@falun.se")
    with pytest.raises(ValidationError):
        participant_create(user=personas.hr_falun, municipality=world.falun, **_details())


def test_moving_a_manager_out_of_scope_is_rolled_back(world, personas):
    participant = f.ParticipantFactory(municipality=world.falun, last_name="Berg")
    with pytest.raises(Http404):
        participant_update(
            user=personas.hr_falun,
            participant=participant,
            municipality=world.borlange,
            moved_on=date(2026, 9, 1),
            **_details(last_name="Moved"),
        )
    participant.refresh_from_db()
    assert (participant.municipality, participant.last_name) == (world.falun, "Berg")
    assert participant.history.count() == 1
    assert not participant.previous_posts.exists()


def test_an_update_records_who_changed_what(world, personas):
    participant = f.ParticipantFactory(municipality=world.falun, last_name="Berg")
    participant_update(
        user=personas.hr_falun,
        participant=participant,
        municipality=world.falun,
        **_details(last_name="Backe"),
    )
    latest, previous = participant.history.order_by("-history_date", "-history_id")[:2]
    assert latest.history_user == personas.hr_falun
    assert "last_name" in latest.diff_against(previous).changed_fields


def test_an_update_cannot_put_the_appointment_after_the_leaving(world, personas):
    participant = f.ParticipantFactory(
        municipality=world.falun, appointed_on=date(2020, 1, 1), left_on=date(2022, 1, 1)
    )
    with pytest.raises(ValidationError) as excinfo:
        participant_update(
            user=personas.hr_falun,
            participant=participant,
            municipality=world.falun,
            **_details(appointed_on=date(2023, 1, 1)),
        )
    assert "appointed_on" in excinfo.value.error_dict


def test_hr_of_falun_cannot_update_a_borlange_manager(world, personas):
    with pytest.raises(Http404):
        participant_update(
            user=personas.hr_falun,
            participant=personas.manager_participant,
            municipality=world.falun,
            **_details(),
        )
    personas.manager_participant.refresh_from_db()
    assert personas.manager_participant.municipality == world.borlange


def test_recording_leaving_sets_the_date(world, personas):
    participant = f.ParticipantFactory(municipality=world.falun, appointed_on=date(2021, 5, 1))
    participant_record_leaving(
        user=personas.hr_falun, participant=participant, left_on=date(2025, 6, 30)
    )
    participant.refresh_from_db()
    assert participant.left_on == date(2025, 6, 30)
    assert participant.history.latest().history_user == personas.hr_falun


@pytest.mark.parametrize(
    "left_on",
    [date(2021, 4, 30), timezone.localdate() + timedelta(days=366)],
    ids=["before_appointment", "more_than_a_year_ahead"],
)
def test_a_leaving_date_out_of_bounds_is_refused(world, personas, left_on):
    participant = f.ParticipantFactory(municipality=world.falun, appointed_on=date(2021, 5, 1))
    with pytest.raises(ValidationError) as excinfo:
        participant_record_leaving(user=personas.hr_falun, participant=participant, left_on=left_on)
    assert "left_on" in excinfo.value.error_dict
    participant.refresh_from_db()
    assert participant.left_on is None


def test_head_of_administration_cannot_record_leaving(world, personas):
    with pytest.raises(Http404):
        participant_record_leaving(
            user=personas.head_borlange,
            participant=personas.manager_participant,
            left_on=date(2025, 1, 1),
        )
    personas.manager_participant.refresh_from_db()
    assert personas.manager_participant.left_on is None


@pytest.fixture
def cases(world):
    """Managers in every situation the status and hp must be computed for."""
    make = f.ParticipantFactory
    borlange = world.borlange
    c = {
        "not_started": make(municipality=borlange),
        "failed_only": make(municipality=borlange),
        "withdrawn_only": make(municipality=borlange),
        "in_progress": make(municipality=borlange),
        "slot_transfer_only": make(municipality=borlange),
        "two_slot_one_passes": make(municipality=borlange),
        "reduced_credits": make(municipality=borlange),
        "completed_by_passes": make(municipality=borlange),
        "completed_with_transfer": make(municipality=borlange),
        "whole_programme": make(municipality=borlange),
        "left": make(municipality=borlange, left_on=date(2024, 1, 1)),
        "left_after_completing": make(municipality=borlange, left_on=date(2025, 1, 1)),
    }
    c["failed"] = f.EnrolmentFactory(
        participant=c["failed_only"],
        offering=f.offering_for(world.courses["new"], "HT2023"),
        state=S.FAILED,
        grade="U",
        credits=Decimal("0"),
    )
    f.EnrolmentFactory(
        participant=c["withdrawn_only"],
        offering=f.offering_for(world.courses["new"], "HT2024"),
        state=S.WITHDRAWN,
    )
    f.EnrolmentFactory(
        participant=c["in_progress"], offering=f.offering_for(world.courses["law"], "HT2025")
    )
    f.pass_course(c["in_progress"], world.courses["new"], "HT2023")
    f.CreditTransferFactory(participant=c["slot_transfer_only"], slot=world.slots[1])
    f.pass_course(c["two_slot_one_passes"], world.courses["new"], "HT2022", credits=Decimal("6"))
    f.pass_course(c["two_slot_one_passes"], world.courses["collab"], "HT2023")
    f.pass_course(c["reduced_credits"], world.courses["steering"], "VT2023", credits=Decimal("5"))
    for who in ("completed_by_passes", "left_after_completing"):
        for course, term in [
            ("collab", "HT2022"),
            ("steering", "VT2023"),
            ("law", "HT2023"),
            ("systems", "VT2024"),
        ]:
            f.pass_course(c[who], world.courses[course], term)
    for course, term in [("new", "HT2022"), ("steering", "VT2023"), ("systems", "VT2024")]:
        f.pass_course(c["completed_with_transfer"], world.courses[course], term)
    f.CreditTransferFactory(participant=c["completed_with_transfer"], slot=world.slots[2])
    f.CreditTransferFactory(participant=c["whole_programme"], programme=world.programme, slot=None)
    f.pass_course(c["left"], world.courses["new"], "HT2022")
    return c


EXPECTED_STATUS = {
    "not_started": ProgrammeStatus.NOT_STARTED,
    "failed_only": ProgrammeStatus.NOT_STARTED,
    "withdrawn_only": ProgrammeStatus.NOT_STARTED,
    "in_progress": ProgrammeStatus.IN_PROGRESS,
    "slot_transfer_only": ProgrammeStatus.IN_PROGRESS,
    "two_slot_one_passes": ProgrammeStatus.IN_PROGRESS,
    "reduced_credits": ProgrammeStatus.IN_PROGRESS,
    "completed_by_passes": ProgrammeStatus.COMPLETED,
    "completed_with_transfer": ProgrammeStatus.COMPLETED,
    "whole_programme": ProgrammeStatus.EXEMPT,
    "left": ProgrammeStatus.LEFT,
    "left_after_completing": ProgrammeStatus.COMPLETED,
}


def test_status_in_the_database_matches_the_expected_status(cases):
    annotated = {p.pk: p.programme_status for p in with_programme_status(Participant.objects.all())}
    assert {name: annotated[cases[name].pk] for name in EXPECTED_STATUS} == EXPECTED_STATUS


def test_slots_and_hp_in_the_database_match_progress_for(cases):
    annotated = list(with_programme_status(Participant.objects.select_related("municipality")))
    progress = progress_for(annotated)
    for participant in annotated:
        p = progress[participant.pk]
        assert (participant.slots_filled, participant.hp) == (p.slots_filled, p.credits), (
            participant.last_name
        )
        assert (participant.programme_status in DONE_STATUSES) == p.is_complete


def test_two_passes_in_slot_one_count_the_first_pass_hp(cases):
    annotated = with_programme_status(
        Participant.objects.filter(pk=cases["two_slot_one_passes"].pk)
    )
    assert annotated.get().hp == Decimal("6.0")


def test_a_region_without_programme_gives_no_progress(world):
    from programmes.models import Region

    elsewhere = f.MunicipalityFactory(
        region=Region.objects.create(name="Elsewhere", short_name="E", county_code="01")
    )
    participant = f.ParticipantFactory(municipality=elsewhere)
    annotated = with_programme_status(Participant.objects.filter(pk=participant.pk)).get()
    assert (annotated.slots_filled, annotated.hp, annotated.programme_status) == (
        0,
        Decimal("0"),
        ProgrammeStatus.NOT_STARTED,
    )


def test_a_move_is_dated_by_hr_and_keeps_the_earlier_post(world, personas):
    from datetime import date

    from enrolment.models import PreviousPost
    from enrolment.services.participants import participant_update

    participant = personas.manager_participant
    participant_update(
        user=personas.programme_admin,
        participant=participant,
        municipality=world.falun,
        first_name=participant.first_name,
        last_name=participant.last_name,
        email=participant.email,
        moved_on=date(2026, 9, 1),
    )
    participant.refresh_from_db()
    assert participant.municipality == world.falun
    assert participant.in_municipality_since == date(2026, 9, 1)
    (earlier,) = PreviousPost.objects.filter(participant=participant)
    assert (earlier.municipality, earlier.valid_from, earlier.valid_to) == (
        world.borlange,
        None,
        date(2026, 9, 1),
    )


def test_a_move_without_a_date_is_refused(world, personas):
    from django.core.exceptions import ValidationError

    from enrolment.services.participants import participant_update

    participant = personas.manager_participant
    with pytest.raises(ValidationError) as refused:
        participant_update(
            user=personas.programme_admin,
            participant=participant,
            municipality=world.falun,
            first_name=participant.first_name,
            last_name=participant.last_name,
            email=participant.email,
        )
    assert "moved_on" in refused.value.error_dict
    participant.refresh_from_db()
    assert participant.municipality == world.borlange
