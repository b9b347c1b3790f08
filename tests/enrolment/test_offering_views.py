"""The offering pages: who sees which offering and which enrolments, admission through
the buttons, creating and editing offerings, and the participant export."""

import csv
import io
from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from openpyxl import load_workbook

from enrolment.models import Enrolment, EnrolmentEvent, EnrolmentState
from portal.accounts.models import Role
from programmes.models import CourseOffering, OfferingState
from programmes.terms import Term
from tests import factories as f

S = EnrolmentState

ALL = {
    "programme_admin",
    "hr_falun",
    "hr_borlange",
    "head_borlange",
    "head_borlange_social",
    "council",
    "manager",
    "no_role",
}
FOLLOWERS = {"programme_admin", "hr_falun", "hr_borlange", "head_borlange", "head_borlange_social"}
ADMINS = {"programme_admin"}


@pytest.fixture
def offering(world):
    return f.OfferingFactory(course=world.courses["steering"], term="HT2025", seats=2)


@pytest.fixture
def enrolled(world, personas, offering):
    """One Falun manager registered, two Borlänge managers: one admitted (in the social
    administration), one nominated (in care)."""
    falun = f.ParticipantFactory(
        municipality=world.falun,
        administration=world.falun_social,
        first_name="Frida",
        last_name="Falk",
        email="frida.falk@falun.se",
    )
    care = f.ParticipantFactory(
        municipality=world.borlange,
        administration=world.borlange_care,
        first_name="Bengt",
        last_name="Berg",
        email="bengt.berg@borlange.se",
    )
    return {
        "falun": f.EnrolmentFactory(participant=falun, offering=offering, state=S.REGISTERED),
        "social": f.EnrolmentFactory(
            participant=personas.manager_participant, offering=offering, state=S.ADMITTED
        ),
        "care": f.EnrolmentFactory(participant=care, offering=offering, state=S.NOMINATED),
    }


@pytest.fixture
def other_region_admin(db):
    region = f.RegionFactory(county_code="21", name="Gävleborg", short_name="X")
    user = f.UserFactory(email="admin@gavleborg.se")
    f.RoleAssignmentFactory(user=user, role=Role.PROGRAMME_ADMIN, region=region)
    return user


def _get_urls(offering, enrolled, personas):
    return {
        "list": (reverse("enrolment:offering_list"), FOLLOWERS),
        "detail": (reverse("enrolment:offering_detail", args=[offering.pk]), FOLLOWERS),
        "export_csv": (
            reverse("enrolment:offering_participants_export", args=[offering.pk, "csv"]),
            FOLLOWERS,
        ),
        "export_xlsx": (
            reverse("enrolment:offering_participants_export", args=[offering.pk, "xlsx"]),
            FOLLOWERS,
        ),
        "create": (reverse("enrolment:offering_create"), ADMINS),
        "update": (reverse("enrolment:offering_update", args=[offering.pk]), ADMINS),
        "results": (reverse("enrolment:offering_results", args=[offering.pk]), ADMINS),
        "credit_transfer": (
            reverse("enrolment:credit_transfer_create", args=[enrolled["falun"].participant_id]),
            ADMINS,
        ),
        "unknown_offering": (reverse("enrolment:offering_detail", args=[999999]), set()),
        "unknown_offering_results": (
            reverse("enrolment:offering_results", args=[999999]),
            set(),
        ),
        "unknown_participant_transfer": (
            reverse("enrolment:credit_transfer_create", args=[999999]),
            set(),
        ),
    }


GET_NAMES = [
    "list",
    "detail",
    "export_csv",
    "export_xlsx",
    "create",
    "update",
    "results",
    "credit_transfer",
    "unknown_offering",
    "unknown_offering_results",
    "unknown_participant_transfer",
]


@pytest.mark.parametrize("name", GET_NAMES)
@pytest.mark.parametrize("persona", sorted(ALL))
def test_each_offering_page_answers_each_persona_by_scope(
    client, personas, offering, enrolled, name, persona
):
    url, allowed = _get_urls(offering, enrolled, personas)[name]
    client.force_login(personas.all()[persona])
    response = client.get(url)
    expected = 200 if persona in allowed else 404
    assert response.status_code == expected, (name, persona, response.status_code)


@pytest.mark.parametrize("name", GET_NAMES)
def test_anonymous_users_are_sent_to_log_in_from_offering_pages(
    client, personas, offering, enrolled, name
):
    url, _ = _get_urls(offering, enrolled, personas)[name]
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def _post_urls(offering, enrolled):
    return {
        "transition": reverse(
            "enrolment:enrolment_transition", args=[enrolled["care"].pk, "admit"]
        ),
        "admit_all": reverse("enrolment:offering_admit_all", args=[offering.pk]),
    }


@pytest.mark.parametrize("name", ["transition", "admit_all"])
@pytest.mark.parametrize("persona", sorted(ALL - ADMINS))
def test_only_programme_administrators_may_admit(
    client, personas, offering, enrolled, name, persona
):
    client.force_login(personas.all()[persona])
    response = client.post(_post_urls(offering, enrolled)[name])
    assert response.status_code == 404
    enrolled["care"].refresh_from_db()
    assert enrolled["care"].state == S.NOMINATED


@pytest.mark.parametrize("name", ["transition", "admit_all"])
def test_anonymous_users_cannot_admit(client, personas, offering, enrolled, name):
    response = client.post(_post_urls(offering, enrolled)[name])
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    enrolled["care"].refresh_from_db()
    assert enrolled["care"].state == S.NOMINATED


@pytest.mark.parametrize("name", ["detail", "update", "results", "export_csv", "credit_transfer"])
def test_programme_administrator_of_another_region_gets_404(
    client, personas, offering, enrolled, other_region_admin, name
):
    url, _ = _get_urls(offering, enrolled, personas)[name]
    client.force_login(other_region_admin)
    assert client.get(url).status_code == 404
    transition = _post_urls(offering, enrolled)["transition"]
    assert client.post(transition).status_code == 404


def test_list_shows_counts_from_the_database(client, world, personas, offering, enrolled):
    f.EnrolmentFactory(
        participant=f.ParticipantFactory(municipality=world.falun),
        offering=offering,
        state=S.WAITLISTED,
        waitlist_position=1,
    )
    client.force_login(personas.hr_falun)
    response = client.get(reverse("enrolment:offering_list"))
    row = next(o for o in response.context["offerings"] if o.pk == offering.pk)
    assert (row.seats, row.seats_taken, row.seats_free, row.waitlist_length) == (2, 2, 0, 1)


def test_list_filters_by_term_state_and_course(client, world, personas, offering):
    later = f.OfferingFactory(course=world.courses["law"], term="VT2026", state="planned")
    client.force_login(personas.programme_admin)
    url = reverse("enrolment:offering_list")

    def shown(**params):
        return {o.pk for o in client.get(url, params).context["offerings"]}

    assert shown() == {offering.pk, later.pk}
    assert shown(term="VT2026") == {later.pk}
    assert shown(state="open") == {offering.pk}
    assert shown(course=world.courses["law"].pk) == {later.pk}


@pytest.mark.parametrize(
    "params", [{"term": "HT25"}, {"state": "sleeping"}, {"course": "abc"}, {"course": "999999"}]
)
def test_list_ignores_bad_filter_values(client, world, personas, offering, params):
    client.force_login(personas.programme_admin)
    response = client.get(reverse("enrolment:offering_list"), params)
    assert response.status_code == 200
    assert [o.pk for o in response.context["offerings"]] == [offering.pk]


def _shown_participants(response):
    return {
        row["enrolment"].participant_id for row in response.context["page"].paginator.object_list
    }


def test_hr_of_falun_sees_only_falun_enrolments_on_the_offering(
    client, personas, offering, enrolled
):
    client.force_login(personas.hr_falun)
    response = client.get(reverse("enrolment:offering_detail", args=[offering.pk]))
    assert _shown_participants(response) == {enrolled["falun"].participant_id}
    html = response.content.decode()
    assert "Falk" in html
    assert "Berg" not in html and "Ståhl" not in html
    # Counts are not personal: the totals include Borlänge.
    assert response.context["offering"].seats_taken == 2
    counts = {
        row["participant__municipality__name"]: row for row in response.context["by_municipality"]
    }
    assert counts["Borlänge"]["seats_taken"] == 1
    assert counts["Borlänge"]["nominated"] == 1
    assert not response.context["administers"]
    assert all(row["actions"] == [] for row in response.context["page"].paginator.object_list)


def test_head_of_an_administration_sees_only_that_administrations_enrolments(
    client, personas, offering, enrolled
):
    client.force_login(personas.head_borlange_social)
    response = client.get(reverse("enrolment:offering_detail", args=[offering.pk]))
    assert _shown_participants(response) == {personas.manager_participant.pk}


def test_programme_administrator_sees_every_enrolment_with_its_actions(
    client, personas, offering, enrolled
):
    client.force_login(personas.programme_admin)
    response = client.get(reverse("enrolment:offering_detail", args=[offering.pk]))
    assert _shown_participants(response) == {e.participant_id for e in enrolled.values()}
    actions = {
        row["enrolment"].pk: [a for a, *_ in row["actions"]]
        for row in response.context["page"].paginator.object_list
    }
    assert actions[enrolled["care"].pk] == ["admit", "waitlist", "withdraw", "defer"]
    assert actions[enrolled["social"].pk] == ["register", "withdraw", "defer"]
    assert actions[enrolled["falun"].pk] == ["withdraw", "defer"]


def test_detail_lists_the_waitlist_in_order(client, world, personas, offering):
    second = f.EnrolmentFactory(
        participant=f.ParticipantFactory(municipality=world.falun),
        offering=offering,
        state=S.WAITLISTED,
        waitlist_position=2,
    )
    first = f.EnrolmentFactory(
        participant=f.ParticipantFactory(municipality=world.borlange),
        offering=offering,
        state=S.WAITLISTED,
        waitlist_position=1,
    )
    client.force_login(personas.programme_admin)
    response = client.get(reverse("enrolment:offering_detail", args=[offering.pk]))
    assert response.context["waitlist"] == [first, second]


def _transition(client, enrolment, action):
    return client.post(reverse("enrolment:enrolment_transition", args=[enrolment.pk, action]))


def test_admitting_through_the_button_records_who(client, personas, offering, enrolled):
    CourseOffering.objects.filter(pk=offering.pk).update(seats=3)
    client.force_login(personas.programme_admin)
    response = _transition(client, enrolled["care"], "admit")
    assert response.status_code == 302
    assert response.url == reverse("enrolment:offering_detail", args=[offering.pk])
    enrolled["care"].refresh_from_db()
    assert enrolled["care"].state == S.ADMITTED
    event = enrolled["care"].events.get()
    assert (event.to_state, event.actor) == (S.ADMITTED, personas.programme_admin)


@pytest.mark.parametrize(
    "start, action, end",
    [
        (S.NOMINATED, "waitlist", S.WAITLISTED),
        (S.ADMITTED, "register", S.REGISTERED),
        (S.REGISTERED, "withdraw", S.WITHDRAWN),
        (S.NOMINATED, "defer", S.DEFERRED),
    ],
)
def test_each_action_moves_the_enrolment(client, world, personas, offering, start, action, end):
    enrolment = f.EnrolmentFactory(
        participant=f.ParticipantFactory(municipality=world.falun), offering=offering, state=start
    )
    client.force_login(personas.programme_admin)
    assert _transition(client, enrolment, action).status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.state == end


def test_a_refused_transition_shows_the_reason_and_changes_nothing(
    client, personas, offering, enrolled
):
    client.force_login(personas.programme_admin)
    response = _transition(client, enrolled["care"], "register")
    assert response.status_code == 302
    assert response.url == reverse("enrolment:offering_detail", args=[offering.pk])
    enrolled["care"].refresh_from_db()
    assert enrolled["care"].state == S.NOMINATED
    assert not EnrolmentEvent.objects.filter(enrolment=enrolled["care"]).exists()
    levels = [m.level_tag for m in get_messages(response.wsgi_request)]
    assert levels == ["error"]


def test_admitting_a_waitlisted_manager_to_a_full_offering_is_refused(
    client, world, personas, offering, enrolled
):
    waiting = f.EnrolmentFactory(
        participant=f.ParticipantFactory(municipality=world.falun),
        offering=offering,
        state=S.WAITLISTED,
        waitlist_position=1,
    )
    client.force_login(personas.programme_admin)
    response = _transition(client, waiting, "admit")
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert (waiting.state, waiting.waitlist_position) == (S.WAITLISTED, 1)


def _not_started_yet(offering):
    """The offering moved to a coming term: only then does a freed seat go to the waitlist."""
    term = Term.parse("VT2027")
    type(offering).objects.filter(pk=offering.pk).update(
        term=str(term), term_index=term.index, start_date=term.start, end_date=term.end
    )
    offering.refresh_from_db()


def test_withdrawing_a_seat_holder_admits_the_first_on_the_waitlist(
    client, world, personas, offering, enrolled
):
    _not_started_yet(offering)
    waiting = f.EnrolmentFactory(
        participant=f.ParticipantFactory(municipality=world.falun),
        offering=offering,
        state=S.WAITLISTED,
        waitlist_position=1,
    )
    client.force_login(personas.programme_admin)
    _transition(client, enrolled["social"], "withdraw")
    waiting.refresh_from_db()
    assert waiting.state == S.ADMITTED


@pytest.mark.parametrize("action", ["promote", "passed", "delete"])
def test_an_unknown_action_is_404(client, personas, enrolled, action):
    client.force_login(personas.programme_admin)
    assert _transition(client, enrolled["care"], action).status_code == 404
    enrolled["care"].refresh_from_db()
    assert enrolled["care"].state == S.NOMINATED


def test_an_unknown_enrolment_is_404(client, personas, enrolled):
    client.force_login(personas.programme_admin)
    url = reverse("enrolment:enrolment_transition", args=[999999, "admit"])
    assert client.post(url).status_code == 404


def test_transitions_answer_get_with_405(client, personas, enrolled):
    client.force_login(personas.programme_admin)
    url = reverse("enrolment:enrolment_transition", args=[enrolled["care"].pk, "admit"])
    assert client.get(url).status_code == 405


def test_admit_all_fills_the_seats_in_nomination_order_then_waitlists(client, world, personas):
    offering = f.OfferingFactory(course=world.courses["law"], term="VT2026", seats=2)
    f.EnrolmentFactory(
        participant=f.ParticipantFactory(municipality=world.falun),
        offering=offering,
        state=S.ADMITTED,
    )
    nominated = [
        f.EnrolmentFactory(
            participant=f.ParticipantFactory(municipality=world.borlange),
            offering=offering,
            state=S.NOMINATED,
        )
        for _ in range(3)
    ]
    client.force_login(personas.programme_admin)
    response = client.post(reverse("enrolment:offering_admit_all", args=[offering.pk]))
    assert response.status_code == 302
    for enrolment in nominated:
        enrolment.refresh_from_db()
    assert [(e.state, e.waitlist_position) for e in nominated] == [
        (S.ADMITTED, None),
        (S.WAITLISTED, 1),
        (S.WAITLISTED, 2),
    ]
    assert EnrolmentEvent.objects.filter(enrolment__in=nominated).count() == 3


def _offering_data(world, **changes):
    data = {
        "course": world.courses["systems"].pk,
        "term": "VT2027",
        "start_date": "2027-01-18",
        "end_date": "2027-06-06",
        "pace_percent": 25,
        "mode": "blended",
        "seats": 30,
        "application_deadline": "2026-12-01",
        "state": "planned",
    }
    data.update(changes)
    return data


def test_programme_administrator_creates_an_offering(client, world, personas):
    client.force_login(personas.programme_admin)
    response = client.post(
        reverse("enrolment:offering_create"), _offering_data(world, term="vt2027")
    )
    assert response.status_code == 302
    offering = CourseOffering.objects.get(course=world.courses["systems"])
    assert (offering.term, offering.term_index) == ("VT2027", Term.parse("VT2027").index)
    assert response.url == reverse("enrolment:offering_detail", args=[offering.pk])


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"term": "HT25"}, "term"),
        ({"term": "AT2025"}, "term"),
        ({"seats": -1}, "seats"),
        ({"seats": "many"}, "seats"),
        ({"end_date": "2027-01-01"}, "end_date"),
        ({"start_date": "2027-13-45"}, "start_date"),
        ({"course": 999999}, "course"),
        ({"pace_percent": 0}, "pace_percent"),
        ({"mode": "teleport"}, "mode"),
    ],
)
def test_bad_offering_input_shows_the_form_with_errors(client, world, personas, changes, field):
    client.force_login(personas.programme_admin)
    response = client.post(reverse("enrolment:offering_create"), _offering_data(world, **changes))
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert not CourseOffering.objects.exists()


def test_a_course_of_another_region_cannot_be_chosen(client, world, personas):
    region = f.RegionFactory(county_code="21", name="Gävleborg")
    programme = f.ProgrammeFactory(region=region)
    foreign = f.CourseFactory(slot=f.SlotFactory(programme=programme, position=1))
    client.force_login(personas.programme_admin)
    response = client.post(
        reverse("enrolment:offering_create"), _offering_data(world, course=foreign.pk)
    )
    assert "course" in response.context["form"].errors
    assert not CourseOffering.objects.exists()


def test_a_second_offering_of_a_course_in_a_term_is_refused(client, world, personas):
    f.OfferingFactory(course=world.courses["systems"], term="VT2027")
    client.force_login(personas.programme_admin)
    response = client.post(reverse("enrolment:offering_create"), _offering_data(world))
    assert response.status_code == 422
    assert response.context["form"].errors
    assert CourseOffering.objects.count() == 1


def _update(client, offering, world, **changes):
    data = _offering_data(
        world,
        course=offering.course_id,
        term=offering.term,
        start_date=offering.start_date.isoformat(),
        end_date=offering.end_date.isoformat(),
        state=offering.state,
        seats=offering.seats,
    )
    data.update(changes)
    return client.post(reverse("enrolment:offering_update", args=[offering.pk]), data)


def test_seats_cannot_drop_below_the_seats_taken(client, world, personas, offering, enrolled):
    client.force_login(personas.programme_admin)
    response = _update(client, offering, world, seats=1)
    assert response.status_code == 422
    assert "seats" in response.context["form"].errors
    offering.refresh_from_db()
    assert offering.seats == 2


def test_added_seats_go_to_the_waitlist_in_order(client, world, personas, offering, enrolled):
    _not_started_yet(offering)
    waiting = [
        f.EnrolmentFactory(
            participant=f.ParticipantFactory(municipality=world.falun),
            offering=offering,
            state=S.WAITLISTED,
            waitlist_position=position,
        )
        for position in (1, 2, 3)
    ]
    client.force_login(personas.programme_admin)
    response = _update(client, offering, world, seats=4)
    assert response.status_code == 302
    for enrolment in waiting:
        enrolment.refresh_from_db()
    assert [e.state for e in waiting] == [S.ADMITTED, S.ADMITTED, S.WAITLISTED]
    offering.refresh_from_db()
    assert offering.seats == 4


def test_the_course_of_an_offering_with_enrolments_cannot_change(
    client, world, personas, offering, enrolled
):
    client.force_login(personas.programme_admin)
    response = _update(client, offering, world, course=world.courses["law"].pk)
    assert "course" in response.context["form"].errors
    offering.refresh_from_db()
    assert offering.course == world.courses["steering"]


def test_an_offering_can_be_closed_for_nomination(client, world, personas, offering):
    client.force_login(personas.programme_admin)
    response = _update(client, offering, world, state=OfferingState.CLOSED)
    assert response.status_code == 302
    offering.refresh_from_db()
    assert offering.state == OfferingState.CLOSED


def _csv_rows(response):
    content = response.content
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_export_of_hr_of_falun_holds_only_falun_rows(client, personas, offering, enrolled):
    client.force_login(personas.hr_falun)
    response = client.get(
        reverse("enrolment:offering_participants_export", args=[offering.pk, "csv"])
    )
    assert response["Content-Type"].startswith("text/csv")
    header, *rows = _csv_rows(response)
    assert len(header) == 9
    assert [row[1] for row in rows] == ["frida.falk@falun.se"]
    assert rows[0][2:4] == ["Falun", "Socialförvaltningen"]


def test_export_as_xlsx_holds_every_row_for_the_programme_administrator(
    client, personas, offering, enrolled
):
    enrolled["falun"].state = S.PASSED
    enrolled["falun"].grade = "VG"
    enrolled["falun"].credits = 7.5
    enrolled["falun"].result_date = date(2026, 1, 20)
    enrolled["falun"].save()
    client.force_login(personas.programme_admin)
    response = client.get(
        reverse("enrolment:offering_participants_export", args=[offering.pk, "xlsx"])
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert {row[1] for row in rows} == {
        "frida.falk@falun.se",
        "bengt.berg@borlange.se",
        "marta.stahl@borlange.se",
    }
    falun = next(row for row in rows if row[1] == "frida.falk@falun.se")
    assert falun[6:8] == ("VG", 7.5)
    assert falun[8].date() == date(2026, 1, 20)


def test_export_of_the_head_of_borlange_social_holds_only_that_administration(
    client, personas, offering, enrolled
):
    client.force_login(personas.head_borlange_social)
    response = client.get(
        reverse("enrolment:offering_participants_export", args=[offering.pk, "csv"])
    )
    _header, *rows = _csv_rows(response)
    assert [row[1] for row in rows] == ["marta.stahl@borlange.se"]


@pytest.mark.parametrize("fmt", ["pdf", "CSV", "xls", "csv.exe"])
def test_export_in_an_unknown_format_is_404(client, personas, offering, fmt):
    client.force_login(personas.programme_admin)
    url = reverse("enrolment:offering_participants_export", args=[offering.pk, fmt])
    assert client.get(url).status_code == 404


def _offerings(world, count):
    courses = list(world.courses.values())
    first = Term.parse("HT2010").index
    offerings = []
    for i in range(count):
        offering = f.OfferingFactory(
            course=courses[i % len(courses)],
            term=str(Term.from_index(first + i // len(courses))),
        )
        offerings.append(offering)
    for offering in offerings[:: max(1, count // 10)]:
        f.EnrolmentFactory(
            participant=f.ParticipantFactory(municipality=world.falun),
            offering=offering,
            state=S.WAITLISTED,
            waitlist_position=1,
        )
    return offerings


@pytest.mark.parametrize("count", [10, 200])
@pytest.mark.parametrize("persona", ["programme_admin", "hr_falun"])
def test_offering_list_runs_in_constant_queries(
    client, world, personas, django_assert_max_num_queries, count, persona
):
    _offerings(world, count)
    client.force_login(getattr(personas, persona))
    with django_assert_max_num_queries(9):
        response = client.get(reverse("enrolment:offering_list"))
    assert len(response.context["offerings"]) == count


def _enrolments(world, offering, count):
    states = [S.NOMINATED, S.ADMITTED, S.WAITLISTED, S.REGISTERED, S.PASSED]
    municipalities = [(world.falun, world.falun_social), (world.borlange, world.borlange_care)]
    for i in range(count):
        municipality, administration = municipalities[i % 2]
        state = states[i % len(states)]
        f.EnrolmentFactory(
            participant=f.ParticipantFactory(
                municipality=municipality, administration=administration
            ),
            offering=offering,
            state=state,
            waitlist_position=i if state == S.WAITLISTED else None,
            grade="G" if state == S.PASSED else "",
        )


@pytest.mark.parametrize("count", [10, 200])
@pytest.mark.parametrize("persona", ["programme_admin", "hr_falun"])
def test_offering_detail_runs_in_constant_queries(
    client, world, personas, offering, django_assert_max_num_queries, count, persona
):
    _enrolments(world, offering, count)
    client.force_login(getattr(personas, persona))
    with django_assert_max_num_queries(9):
        response = client.get(reverse("enrolment:offering_detail", args=[offering.pk]))
    expected = count if persona == "programme_admin" else count // 2
    assert len(response.context["page"].paginator.object_list) == expected


@pytest.mark.parametrize("count", [10, 200])
def test_offering_export_runs_in_constant_queries(
    client, world, personas, offering, django_assert_max_num_queries, count
):
    _enrolments(world, offering, count)
    client.force_login(personas.programme_admin)
    url = reverse("enrolment:offering_participants_export", args=[offering.pk, "csv"])
    with django_assert_max_num_queries(6):
        response = client.get(url)
    assert len(_csv_rows(response)) == count + 1


def test_enrolments_of_other_offerings_never_show(client, world, personas, offering, enrolled):
    other = f.OfferingFactory(course=world.courses["law"], term="HT2025")
    f.EnrolmentFactory(participant=f.ParticipantFactory(municipality=world.falun), offering=other)
    client.force_login(personas.programme_admin)
    response = client.get(reverse("enrolment:offering_detail", args=[offering.pk]))
    assert {
        row["enrolment"].offering_id for row in response.context["page"].paginator.object_list
    } == {offering.pk}
    assert Enrolment.objects.count() == 4


def test_withdrawing_a_nomination_reads_as_such_and_is_not_red(
    client, personas, offering, enrolled
):
    client.force_login(personas.programme_admin)
    response = client.get(reverse("enrolment:offering_detail", args=[offering.pk]))
    actions = {
        row["enrolment"].pk: {a: (str(label), red) for a, label, red in row["actions"]}
        for row in response.context["page"].paginator.object_list
    }
    assert actions[enrolled["care"].pk]["withdraw"] == ("Återkalla nomineringen", False)
    assert actions[enrolled["care"].pk]["defer"][1] is False
    # A seat holder who withdraws breaks off the course: said so, in the warning colour.
    assert actions[enrolled["social"].pk]["withdraw"] == ("Avbryt kursen", True)
    html = response.content.decode()
    withdraw_nomination = reverse(
        "enrolment:enrolment_transition", args=[enrolled["care"].pk, "withdraw"]
    )
    form = html.split(f'action="{withdraw_nomination}"', 1)[1].split("</form>", 1)[0]
    assert "Återkalla nomineringen" in form
    assert "btn-outline-danger" not in form


def test_a_waitlist_place_is_removed_not_broken_off(client, world, personas, offering):
    waiting = f.EnrolmentFactory(
        participant=f.ParticipantFactory(municipality=world.falun),
        offering=offering,
        state=S.WAITLISTED,
        waitlist_position=1,
    )
    client.force_login(personas.programme_admin)
    response = client.get(reverse("enrolment:offering_detail", args=[offering.pk]))
    row = next(
        r for r in response.context["page"].paginator.object_list if r["enrolment"] == waiting
    )
    assert ("withdraw", "Stryk från reservlistan", False) in [
        (a, str(label), red) for a, label, red in row["actions"]
    ]


def test_open_offerings_lead_the_list_then_coming_then_finished_latest_first(
    client, world, personas
):
    finished_old = f.OfferingFactory(course=world.courses["new"], term="HT2022", state="finished")
    finished_new = f.OfferingFactory(course=world.courses["new"], term="HT2024", state="finished")
    planned = f.OfferingFactory(course=world.courses["law"], term="HT2027", state="planned")
    running = f.OfferingFactory(course=world.courses["law"], term="HT2026", state="running")
    open_late = f.OfferingFactory(course=world.courses["systems"], term="HT2027", state="open")
    open_soon = f.OfferingFactory(course=world.courses["steering"], term="VT2027", state="open")
    client.force_login(personas.programme_admin)
    response = client.get(reverse("enrolment:offering_list"))
    assert [o.pk for o in response.context["offerings"]] == [
        open_soon.pk,
        open_late.pk,
        running.pk,
        planned.pk,
        finished_new.pk,
        finished_old.pk,
    ]
