from datetime import date

import pytest
from django.urls import reverse

from enrolment.mandates import add_months, deadlines_of
from enrolment.models import Enrolment, NominationRequest, NominationRequestState
from programmes.models import OfferingState
from tests import factories as f


@pytest.fixture
def open_offering(world):
    return f.OfferingFactory(
        course=world.courses["new"],
        term="VT2027",
        state=OfferingState.OPEN,
        application_deadline=date(2026, 12, 15),
    )


def test_manager_sees_slots_hp_and_the_offerings_open_to_them(
    client, world, personas, open_offering
):
    f.pass_course(personas.manager_participant, world.courses["steering"], "VT2024")
    law_open = f.OfferingFactory(course=world.courses["law"], term="VT2027")
    client.force_login(personas.manager)
    response = client.get(reverse("enrolment:my_programme"))
    assert response.status_code == 200
    assert response.context["progress"].credits == 7.5
    assert set(response.context["open_offerings"]) == {open_offering, law_open}
    html = response.content.decode()
    assert 'aria-valuenow="25"' in html
    assert "Kommunal styrning och förändringsarbete" in html


def test_offerings_for_a_filled_slot_are_not_offered(client, world, personas, open_offering):
    f.pass_course(personas.manager_participant, world.courses["collab"], "HT2023")
    client.force_login(personas.manager)
    response = client.get(reverse("enrolment:my_programme"))
    assert open_offering not in response.context["open_offerings"]


def test_manager_asks_to_be_nominated_and_hr_nominates(client, world, personas, open_offering):
    client.force_login(personas.manager)
    url = reverse("enrolment:my_nomination_request", args=[open_offering.pk])
    assert client.post(url, {"message": "Gärna i vår"}).status_code == 302
    request = NominationRequest.objects.get()
    assert request.participant == personas.manager_participant
    assert request.message == "Gärna i vår"
    # Asking twice gives a message, not a second request.
    client.post(url)
    assert NominationRequest.objects.count() == 1

    client.force_login(personas.hr_borlange)
    listing = client.get(reverse("enrolment:request_list"))
    assert list(listing.context["requests"]) == [request]
    answer = reverse("enrolment:request_answer", args=[request.pk, "nominate"])
    assert client.post(answer).status_code == 302
    request.refresh_from_db()
    assert request.state == NominationRequestState.NOMINATED
    assert request.handled_by == personas.hr_borlange
    enrolment = Enrolment.objects.get(participant=personas.manager_participant)
    assert enrolment.offering == open_offering
    assert enrolment.events.get().actor == personas.hr_borlange


def test_hr_of_falun_neither_sees_nor_answers_a_borlange_request(client, personas, open_offering):
    request = NominationRequest.objects.create(
        participant=personas.manager_participant, offering=open_offering
    )
    client.force_login(personas.hr_falun)
    assert list(client.get(reverse("enrolment:request_list")).context["requests"]) == []
    answer = reverse("enrolment:request_answer", args=[request.pk, "nominate"])
    assert client.post(answer).status_code == 404
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize("persona", ["council", "head_borlange", "manager", "no_role"])
def test_request_list_is_404_for_roles_that_do_not_nominate(client, personas, persona):
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("enrolment:request_list")).status_code == 404


@pytest.mark.parametrize(
    "persona", ["programme_admin", "hr_borlange", "council", "head_borlange", "no_role"]
)
def test_only_a_manager_can_ask_to_be_nominated(client, personas, open_offering, persona):
    client.force_login(getattr(personas, persona))
    url = reverse("enrolment:my_nomination_request", args=[open_offering.pk])
    assert client.post(url).status_code == 404
    assert not NominationRequest.objects.exists()


def test_unknown_answer_or_offering_is_404(client, personas, open_offering):
    request = NominationRequest.objects.create(
        participant=personas.manager_participant, offering=open_offering
    )
    client.force_login(personas.hr_borlange)
    assert client.post(f"/forfragningar/{request.pk}/explode/").status_code == 404
    client.force_login(personas.manager)
    url = reverse("enrolment:my_nomination_request", args=[999999])
    assert client.post(url).status_code == 404


def test_a_get_to_the_request_url_is_refused(client, personas, open_offering):
    client.force_login(personas.manager)
    url = reverse("enrolment:my_nomination_request", args=[open_offering.pk])
    assert client.get(url).status_code == 405


def test_own_page_shows_the_deadline_when_a_mandate_applies(client, world, personas):
    f.MandateFactory(municipality=world.borlange, fixed_completion_date=date(2028, 6, 30))
    client.force_login(personas.manager)
    response = client.get(reverse("enrolment:my_programme"))
    row = response.context["compliance"]
    # Appointed 2023-03-01, before the mandate took effect: the fixed date applies.
    assert row.complete_by == date(2028, 6, 30)
    assert "2028-06-30" in response.content.decode()


def test_deadlines_run_from_the_later_of_appointment_and_mandate(world):
    f.MandateFactory(municipality=world.borlange)
    newcomer = f.ParticipantFactory(municipality=world.borlange, appointed_on=date(2026, 2, 15))
    deadlines = deadlines_of(newcomer, date(2026, 11, 22))
    assert deadlines.start_by == date(2027, 2, 15)
    assert deadlines.complete_by == date(2029, 2, 15)


def test_a_mandate_not_yet_in_force_sets_no_deadline(world, personas):
    f.MandateFactory(municipality=world.borlange, effective_from=date(2030, 1, 1))
    assert deadlines_of(personas.manager_participant, date(2026, 11, 22)) is None


def test_adding_months_keeps_the_end_of_short_months():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
