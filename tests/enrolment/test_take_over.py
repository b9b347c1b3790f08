"""Taking over a manager who moves in from another region (issue 17): Gävle's HR takes
over a Borlänge manager by e-mail address. The move is recorded by the one move service,
the manager keeps every course, Gävleborg's table decides the slots and Gävle's mandate
the clock; only Gävle's HR may do it, and nothing about the manager shows before they
confirm beyond the address they typed."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation

from enrolment.compliance import Status, municipality_compliance
from enrolment.models import Enrolment, EnrolmentState, Participant, Position, PreviousPost
from enrolment.progress import SlotStatus, progress_of
from enrolment.selectors import participants_visible_to
from enrolment.services.participants import participant_take_over
from programmes.models import CourseEquivalence
from tests import factories as f

TODAY = date(2026, 11, 29)
MOVED_ON = date(2025, 1, 1)
EMAIL = "sigrid.flytt@borlange.se"


@pytest.fixture
def mover(world, personas, gavleborg):
    """A Borlänge manager with three courses passed under Dalarna's programme, and the
    Gävleborg table that holds two of them equivalent."""
    manager = f.ParticipantFactory(
        municipality=world.borlange,
        administration=world.borlange_social,
        appointed_on=date(2023, 1, 15),
        first_name="Sigrid",
        last_name="Flytt",
        email=EMAIL,
        employee_number="B-17",
    )
    f.pass_course(manager, world.courses["new"], "HT2023")
    f.pass_course(manager, world.courses["steering"], "VT2024")
    f.pass_course(manager, world.courses["law"], "HT2024")
    CourseEquivalence.objects.create(
        programme=gavleborg.programme, course=world.courses["new"], slot=gavleborg.slots[0]
    )
    CourseEquivalence.objects.create(
        programme=gavleborg.programme, course=world.courses["law"], slot=gavleborg.slots[1]
    )
    return manager


@pytest.fixture
def people(personas, gavleborg_personas, national_admin):
    found = dict(personas.all())
    found.update({f"g_{name}": user for name, user in gavleborg_personas.all().items()})
    found["national_admin"] = national_admin
    return found


def _take_over(user, gavleborg, **changes):
    details = {
        "email": EMAIL,
        "municipality": gavleborg.gavle,
        "administration": gavleborg.gavle_social,
        "position": Position.UNIT_MANAGER,
        "moved_on": MOVED_ON,
    }
    details.update(changes)
    return participant_take_over(user=user, **details)


def _untouched(manager, world):
    manager.refresh_from_db()
    assert manager.municipality == world.borlange
    assert manager.in_municipality_since is None
    assert not PreviousPost.objects.filter(participant=manager).exists()


# --- The service ---------------------------------------------------------------------------


def test_gavles_hr_takes_over_a_borlange_manager_who_keeps_every_course(
    mover, world, gavleborg, gavleborg_personas, personas
):
    taken = _take_over(gavleborg_personas.hr_gavle, gavleborg, employee_number="G-1")

    assert taken.pk == mover.pk
    mover.refresh_from_db()
    assert (mover.municipality, mover.administration) == (gavleborg.gavle, gavleborg.gavle_social)
    assert (mover.in_municipality_since, mover.employee_number) == (MOVED_ON, "G-1")
    # The one move service recorded the Borlänge post, ending on the day of the move.
    post = PreviousPost.objects.get(participant=mover)
    assert (post.municipality, post.administration, post.valid_from, post.valid_to) == (
        world.borlange,
        world.borlange_social,
        None,
        MOVED_ON,
    )
    assert Enrolment.objects.filter(participant=mover, state=EnrolmentState.PASSED).count() == 3
    progress = progress_of(mover, TODAY)
    assert progress.programme == gavleborg.programme
    assert [s.status for s in progress.slots] == [
        SlotStatus.PASSED,
        SlotStatus.PASSED,
        SlotStatus.NOT_STARTED,
        SlotStatus.NOT_STARTED,
    ]
    assert mover in participants_visible_to(gavleborg_personas.hr_gavle)
    assert mover not in participants_visible_to(personas.hr_borlange)
    assert mover.history.first().history_user == gavleborg_personas.hr_gavle


def _mandate(municipality, **fields):
    return f.MandateFactory(
        municipality=municipality,
        decided_on=date(2021, 12, 1),
        effective_from=date(2022, 1, 1),
        fixed_completion_date=None,
        **fields,
    )


@pytest.mark.parametrize(
    ("restarts", "deadlines"),
    [
        (False, (date(2024, 1, 15), date(2026, 1, 15))),
        (True, (date(2026, 1, 1), date(2028, 1, 1))),
    ],
)
def test_compliance_after_a_take_over_follows_gavles_mandate_clock(
    mover, gavleborg, gavleborg_personas, restarts, deadlines
):
    _mandate(gavleborg.gavle, clock_restarts_on_arrival=restarts)
    _take_over(gavleborg_personas.hr_gavle, gavleborg)
    rows = municipality_compliance(municipality=gavleborg.gavle, on=TODAY).rows
    row = next(r for r in rows if r.participant.pk == mover.pk)
    assert (row.start_by, row.complete_by) == deadlines
    assert (row.status == Status.OVERDUE) is not restarts


def test_a_leaving_borlange_recorded_on_the_day_of_the_move_gives_way_to_the_move(
    mover, gavleborg, gavleborg_personas
):
    Participant.objects.filter(pk=mover.pk).update(left_on=MOVED_ON)
    _take_over(gavleborg_personas.hr_gavle, gavleborg)
    mover.refresh_from_db()
    assert mover.left_on is None and mover.municipality == gavleborg.gavle


def _refused(user, gavleborg, field, **changes):
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        _take_over(user, gavleborg, **changes)
    return refused.value.message_dict[field][0]


def test_a_date_before_the_appointment_is_refused_without_naming_it(
    mover, world, gavleborg, gavleborg_personas
):
    message = _refused(
        gavleborg_personas.hr_gavle, gavleborg, "moved_on", moved_on=date(2023, 1, 15)
    )
    assert message == "The move must be after the day the manager's current post began."
    assert "2023" not in message
    _untouched(mover, world)


def test_a_date_more_than_a_year_ahead_is_refused(mover, world, gavleborg, gavleborg_personas):
    later = timezone.localdate() + timedelta(days=366)
    message = _refused(gavleborg_personas.hr_gavle, gavleborg, "moved_on", moved_on=later)
    assert message.startswith("The move can be at most one year ahead")
    _untouched(mover, world)


def test_a_leaving_before_the_move_is_refused(mover, world, gavleborg, gavleborg_personas):
    Participant.objects.filter(pk=mover.pk).update(left_on=date(2024, 6, 30))
    message = _refused(gavleborg_personas.hr_gavle, gavleborg, "moved_on")
    assert message.startswith("The manager is recorded as having left")
    mover.refresh_from_db()
    assert mover.municipality == world.borlange and mover.left_on == date(2024, 6, 30)


def test_an_unknown_address_is_refused(mover, world, gavleborg, gavleborg_personas):
    message = _refused(gavleborg_personas.hr_gavle, gavleborg, "email", email="ingen@gavle.se")
    assert message == "No manager has this e-mail address."
    _untouched(mover, world)


def test_a_manager_already_in_reach_is_edited_not_taken_over(gavleborg, gavleborg_personas):
    own = gavleborg_personas.manager_participant
    message = _refused(gavleborg_personas.hr_gavle, gavleborg, "email", email=own.email)
    assert message == "You already manage this manager: edit the manager instead."
    assert not PreviousPost.objects.filter(participant=own).exists()


@pytest.mark.parametrize(
    "persona",
    [
        "g_programme_admin",
        "g_head_gavle",
        "g_council",
        "g_manager",
        "national_admin",
        "hr_falun",
        "hr_borlange",
        "programme_admin",
    ],
)
def test_only_gavles_hr_may_take_over_into_gavle(mover, world, gavleborg, people, persona):
    with pytest.raises(Http404):
        _take_over(people[persona], gavleborg)
    _untouched(mover, world)


# --- The pages -----------------------------------------------------------------------------

URL = reverse("enrolment:participant_take_over")


def _details(gavleborg, **changes):
    data = {
        "email": EMAIL,
        "municipality": gavleborg.gavle.pk,
        "administration": gavleborg.gavle_social.pk,
        "position": Position.UNIT_MANAGER,
        "moved_on": MOVED_ON.isoformat(),
    }
    data.update(changes)
    return data


def test_the_add_form_offers_gavles_hr_to_take_over_and_names_no_one(
    client, mover, gavleborg, gavleborg_personas
):
    client.force_login(gavleborg_personas.hr_gavle)
    response = client.post(
        reverse("enrolment:participant_create"),
        {"first_name": "Sigrid", "last_name": "Flytt", "email": EMAIL.upper(), "position": ""},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="take-over-offer"' in html
    assert f"En chef i en annan kommun har e-postadressen {EMAIL}." in html
    assert "Borlänge" not in html and "B-17" not in html
    assert Participant.objects.filter(email__iexact=EMAIL).count() == 1


def test_the_add_form_offers_no_take_over_of_a_manager_already_in_reach(
    client, personas, gavleborg_personas
):
    client.force_login(gavleborg_personas.hr_gavle)
    own = gavleborg_personas.manager_participant.email
    response = client.post(
        reverse("enrolment:participant_create"), {"first_name": "G", "last_name": "H", "email": own}
    )
    html = response.content.decode()
    assert "En annan chef har redan den här e-postadressen." in html
    assert 'id="take-over-offer"' not in html


def test_the_add_form_offers_a_programme_administrator_no_take_over(
    client, mover, gavleborg_personas
):
    client.force_login(gavleborg_personas.programme_admin)
    response = client.post(
        reverse("enrolment:participant_create"),
        {"first_name": "Sigrid", "last_name": "Flytt", "email": EMAIL},
    )
    assert 'id="take-over-offer"' not in response.content.decode()


def test_gavles_hr_checks_confirms_and_takes_over(
    client, mover, world, gavleborg, gavleborg_personas
):
    client.force_login(gavleborg_personas.hr_gavle)
    started = client.post(URL, {"email": EMAIL, "start": "1"})
    assert started.status_code == 200
    assert f'value="{EMAIL}"' in started.content.decode()

    checked = client.post(URL, _details(gavleborg))
    assert checked.status_code == 200
    html = checked.content.decode()
    assert 'id="confirm-take-over"' in html
    assert "Bekräfta övertagandet" in html
    # Before confirming, the page names no one and no former municipality.
    assert "Sigrid Flytt" not in html and "Borlänge" not in html and "B-17" not in html
    _untouched(mover, world)

    done = client.post(URL, {**_details(gavleborg), "confirmed": "True"})
    assert done.status_code == 302
    assert done["Location"] == reverse("enrolment:participant_detail", args=[mover.pk])
    mover.refresh_from_db()
    assert (mover.municipality, mover.in_municipality_since) == (gavleborg.gavle, MOVED_ON)
    assert PreviousPost.objects.filter(participant=mover, valid_to=MOVED_ON).count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"moved_on": (date.today() + timedelta(days=400)).isoformat()},
            "Flytten kan ligga högst ett år fram i tiden",
        ),
        ({"moved_on": "2022-06-01"}, "Flytten måste vara efter dagen då chefens nuvarande"),
        ({"email": "ingen@gavle.se"}, "Ingen chef har den här e-postadressen."),
        ({"moved_on": "inte ett datum"}, "Fyll i ett giltigt datum."),
    ],
)
@pytest.mark.parametrize("confirmed", ["", "True"])
def test_bad_input_is_a_422_in_swedish_and_writes_nothing(
    client, mover, world, gavleborg, gavleborg_personas, changes, message, confirmed
):
    client.force_login(gavleborg_personas.hr_gavle)
    response = client.post(URL, {**_details(gavleborg, **changes), "confirmed": confirmed})
    assert response.status_code == 422
    assert message in response.content.decode()
    _untouched(mover, world)


@pytest.mark.parametrize(
    "persona",
    [
        "g_programme_admin",
        "g_head_gavle",
        "g_council",
        "g_manager",
        "national_admin",
        "programme_admin",
        "head_borlange",
        "council",
        "manager",
        "no_role",
    ],
)
def test_the_take_over_page_is_a_404_for_every_role_but_hr(client, gavleborg, people, persona):
    client.force_login(people[persona])
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"email": EMAIL, "start": "1"}).status_code == 404


@pytest.mark.parametrize(
    "persona",
    [
        "g_programme_admin",
        "g_head_gavle",
        "g_council",
        "g_manager",
        "national_admin",
        "hr_falun",
        "hr_borlange",
    ],
)
def test_no_one_but_gavles_hr_takes_over_into_gavle(
    client, mover, world, gavleborg, people, persona
):
    client.force_login(people[persona])
    response = client.post(URL, {**_details(gavleborg), "confirmed": "True"})
    assert response.status_code == 404
    _untouched(mover, world)


def test_an_administration_of_another_municipality_is_a_404(
    client, mover, world, gavleborg, gavleborg_personas
):
    client.force_login(gavleborg_personas.hr_gavle)
    response = client.post(
        URL, _details(gavleborg, administration=world.borlange_social.pk, confirmed="True")
    )
    assert response.status_code == 404
    _untouched(mover, world)
