from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enrolment.mandates import add_months, deadlines_of
from enrolment.models import Enrolment, NominationRequest, NominationRequestState
from enrolment.selectors import offerings_open_to_listed, with_withdrawn_from
from enrolment.services.enrolments import enrolment_withdraw
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


# --- The words of "Min utbildning": one label per enrolment, one deadline line ----------


def _page(client, personas):
    client.force_login(personas.manager)
    response = client.get(reverse("enrolment:my_programme"))
    assert response.status_code == 200
    return response, response.content.decode()


def test_each_enrolment_reads_as_the_programme_words_it(client, world, personas):
    """Swedish by default: nominerad, antagen – startar …, registrerad, reservplats nr N,
    godkänd; a nomination on a later term is not "Pågår"."""
    me = personas.manager_participant
    f.pass_course(me, world.courses["new"], "HT2023", grade="VG")
    f.EnrolmentFactory(
        participant=me,
        offering=f.OfferingFactory(course=world.courses["steering"], term="HT2026"),
        state="registered",
    )
    law = f.OfferingFactory(course=world.courses["law"], term="VT2027")
    f.EnrolmentFactory(participant=me, offering=law, state="admitted")
    systems = f.OfferingFactory(course=world.courses["systems"], term="VT2027")
    f.EnrolmentFactory(participant=me, offering=systems, state="waitlisted", waitlist_position=2)

    response, html = _page(client, personas)
    assert "Godkänd" in html
    assert "Registrerad" in html
    assert f"Antagen – startar {law.start_date.isoformat()}" in html
    assert "Reservplats nr 2" in html
    # The card of course 4 says the same as the table, with the term.
    assert "Reservplats nr 2, VT2027: Styrsystem och utveckling" in html
    assert "Pågår" not in html


def test_a_nomination_reads_nominated_not_in_progress(client, world, personas):
    offering = f.OfferingFactory(course=world.courses["systems"], term="VT2027")
    f.EnrolmentFactory(
        participant=personas.manager_participant, offering=offering, state="nominated"
    )
    _response, html = _page(client, personas)
    assert "Nominerad, VT2027: Styrsystem och utveckling" in html
    assert "Pågår" not in html


def test_a_waitlist_place_reads_reservplats(client, world, personas):
    """Reservplats, as Swedish universities say it: on the own page, on the HR's page of
    the manager and in the offering's list of participants."""
    offering = f.OfferingFactory(course=world.courses["systems"], term="VT2027")
    f.EnrolmentFactory(
        participant=personas.manager_participant, offering=offering, state="waitlisted"
    )
    _response, html = _page(client, personas)
    assert "<td>Reservplats</td>" in html
    assert "På reservlista" not in html
    client.force_login(personas.hr_borlange)
    detail = reverse("enrolment:participant_detail", args=[personas.manager_participant.pk])
    assert "Status: Reservplats" in client.get(detail).content.decode()
    client.force_login(personas.programme_admin)
    html = client.get(reverse("enrolment:offering_detail", args=[offering.pk])).content.decode()
    assert "<td>Reservplats</td>" in html
    # The column of counts per municipality still says how many are on the waitlist.
    assert ">På reservlista</th>" in html


def test_a_withdrawn_nomination_is_not_read_as_a_course_left(client, world, personas):
    """A nomination withdrawn before any seat was given reads "Nominering återtagen"; a
    course left after registration still reads "Avbrutit"."""
    me = personas.manager_participant
    nominated = f.EnrolmentFactory(
        participant=me,
        offering=f.OfferingFactory(course=world.courses["systems"], term="VT2027"),
        state="nominated",
    )
    waitlisted = f.EnrolmentFactory(
        participant=me,
        offering=f.OfferingFactory(course=world.courses["law"], term="VT2027"),
        state="waitlisted",
        waitlist_position=1,
    )
    registered = f.EnrolmentFactory(
        participant=me,
        offering=f.OfferingFactory(course=world.courses["steering"], term="HT2026"),
        state="registered",
    )
    for enrolment in (nominated, waitlisted, registered):
        enrolment_withdraw(enrolment=enrolment, actor=personas.hr_borlange)

    _response, html = _page(client, personas)
    assert html.count("<td>Nominering återtagen</td>") == 2
    assert html.count("<td>Avbrutit</td>") == 1


def test_labels_in_english_come_from_one_function(world, personas):
    from django.utils import translation

    from enrolment.standing import enrolment_label

    me = personas.manager_participant
    offering = f.OfferingFactory(course=world.courses["law"], term="VT2027")
    started = f.OfferingFactory(course=world.courses["steering"], term="HT2025")
    on = date(2026, 11, 29)
    with translation.override("en"):
        nominated = f.EnrolmentFactory(participant=me, offering=offering, state="nominated")
        assert enrolment_label(nominated, on=on) == "Nominated"
        nominated.state = "admitted"
        assert enrolment_label(nominated, on=on) == (
            f"Admitted – starts {offering.start_date.isoformat()}"
        )
        assert enrolment_label(nominated, on=offering.start_date) == (
            f"Admitted – started {offering.start_date.isoformat()}"
        )
        nominated.state, nominated.waitlist_position = "waitlisted", 3
        assert enrolment_label(nominated, on=on) == "Waitlist place no. 3"
        lapsed = f.EnrolmentFactory(participant=me, offering=started, state="nominated")
        assert enrolment_label(lapsed, on=on) == "Not admitted"
        enrolment_withdraw(enrolment=lapsed, actor=None)
        withdrawn = with_withdrawn_from(Enrolment.objects.filter(pk=lapsed.pk)).get()
        assert enrolment_label(withdrawn, on=on) == "Nomination withdrawn"
        # Without the history read, a withdrawal says only what its state says.
        assert enrolment_label(Enrolment.objects.get(pk=lapsed.pk), on=on) == "Withdrawn"


def test_the_deadline_line_says_start_until_the_programme_has_begun(client, world, personas):
    """Märta was appointed 2023-03-01; the mandate from 2025-07-01 asks her to start by
    2026-07-01 and complete by 2028-07-01."""
    f.MandateFactory(municipality=world.borlange)
    response, html = _page(client, personas)
    assert response.context["deadline"] == (
        "Du ska påbörja utbildningen senast 2026-07-01 och vara klar senast 2028-07-01."
    )
    assert html.count("2026-07-01") == 1
    assert html.count("2028-07-01") == 1

    # A seat on an offering that has started: the start deadline is gone.
    f.EnrolmentFactory(
        participant=personas.manager_participant,
        offering=f.OfferingFactory(course=world.courses["new"], term="HT2026"),
        state="registered",
    )
    response, html = _page(client, personas)
    assert response.context["deadline"] == "Du ska vara klar med utbildningen senast 2028-07-01."
    assert "påbörja utbildningen" not in html
    assert "2026-07-01" not in html
    assert html.count("2028-07-01") == 1


def test_a_nomination_is_no_start_for_the_deadline_line(client, world, personas):
    f.MandateFactory(municipality=world.borlange)
    f.EnrolmentFactory(
        participant=personas.manager_participant,
        offering=f.OfferingFactory(course=world.courses["new"], term="VT2027"),
        state="nominated",
    )
    response, _html = _page(client, personas)
    assert "påbörja" in response.context["deadline"]


def test_a_completed_manager_is_offered_the_certificate_and_no_deadline(client, world, personas):
    f.MandateFactory(municipality=world.borlange)
    for course, term in (("new", "HT2022"), ("steering", "VT2023"), ("law", "HT2023")):
        f.pass_course(personas.manager_participant, world.courses[course], term)
    f.CreditTransferFactory(
        participant=personas.manager_participant, slot=world.slots[3], approved_by=None
    )
    response, html = _page(client, personas)
    assert response.context["deadline"] == ""
    assert reverse("reporting:report_order", args=["certificate"]) in html
    assert "Nästa steg" not in html
    # Every slot filled: nothing is offered, and the database is not asked.
    assert response.context["open_offerings"] == []
    progress = response.context["progress"]
    with CaptureQueriesContext(connection) as queries:
        assert offerings_open_to_listed(personas.manager_participant, progress) == []
    assert queries.captured_queries == []


def test_no_certificate_offered_before_completion(client, world, personas):
    f.pass_course(personas.manager_participant, world.courses["new"], "HT2022")
    _response, html = _page(client, personas)
    assert reverse("reporting:report_order", args=["certificate"]) not in html
    assert reverse("reporting:transcript", args=[personas.manager_participant.pk]) in html


# --- The transcript of records (resultatintyg) ------------------------------------------


def _pdf_text(content: bytes) -> str:
    from io import BytesIO

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def _transcript(personas):
    return reverse("reporting:transcript", args=[personas.manager_participant.pk])


@pytest.fixture
def history(world, personas):
    """A VG on course 1, course 2 credited, a U on course 3 and course 4 under way."""
    me = personas.manager_participant
    world.courses["new"].code = "GLK123"
    world.courses["new"].save()
    f.pass_course(me, world.courses["new"], "HT2023", grade="VG")
    f.CreditTransferFactory(participant=me, slot=world.slots[1], decided_on=date(2024, 5, 2))
    failed = f.offering_for(world.courses["law"], "VT2024", state=OfferingState.FINISHED)
    f.EnrolmentFactory(
        participant=me,
        offering=failed,
        state="failed",
        grade="U",
        credits=0,
        result_date=failed.end_date,
    )
    f.EnrolmentFactory(
        participant=me,
        offering=f.OfferingFactory(course=world.courses["systems"], term="HT2026"),
        state="registered",
    )
    return me


def test_manager_downloads_their_transcript_at_any_time(client, world, personas, history):
    client.force_login(personas.manager)
    response = client.get(_transcript(personas))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = _pdf_text(response.content)
    assert "Resultatintyg" in text
    assert "Märta Ståhl" in text
    assert "Ny som ledare (GLK123)" in text
    assert "VG" in text
    assert "tillgodoräknad" in text
    assert "2024-05-02" in text
    # 7.5 hp passed and 7.5 hp credited of 30, in Swedish numbers.
    assert "15 av 30 hp" in text
    # The course under way, in the words of the page; the U is no result on a transcript.
    assert "Styrsystem och utveckling" in text
    assert "Registrerad" in text
    assert "Ledarskapets juridik" not in text
    # The manager reading their own record is not an access to log.
    from privacy.models import AccessLogEntry

    assert not AccessLogEntry.objects.exists()


def test_transcript_lines_are_the_facts_of_the_day(world, personas, history):
    from reporting.builders.transcript import transcript_context

    # On 2024-01-31 the VG of HT2023 (dated 2024-01-18) counts; the credit transfer
    # decided 2024-05-02 and the U of VT2024 do not exist yet.
    context = transcript_context(participant=history, on=date(2024, 1, 31), reference="x")
    assert [(line.course, line.grade, line.day, line.credited) for line in context["lines"]] == [
        ("Ny som ledare", "VG", date(2024, 1, 18), False)
    ]
    assert context["progress"].credits == 7.5
    # Later, the decision is there, as credited, with its date.
    context = transcript_context(participant=history, on=date(2024, 6, 1), reference="x")
    assert [(line.position, line.credited, line.day) for line in context["lines"]] == [
        (1, False, date(2024, 1, 18)),
        (2, True, date(2024, 5, 2)),
    ]


@pytest.mark.parametrize("persona", ["programme_admin", "hr_borlange"])
def test_hr_and_programme_admin_download_the_transcript_in_scope(
    client, personas, history, persona
):
    from privacy.models import AccessLogEntry

    user = getattr(personas, persona)
    client.force_login(user)
    response = client.get(_transcript(personas))
    assert response.status_code == 200
    assert "Märta Ståhl" in _pdf_text(response.content)
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.participant, entry.kind) == (user, history, "report")


@pytest.mark.parametrize(
    "persona", ["hr_falun", "head_borlange", "head_borlange_social", "council", "no_role"]
)
def test_transcript_is_404_for_every_role_that_must_not_see_it(client, personas, history, persona):
    client.force_login(getattr(personas, persona))
    assert client.get(_transcript(personas)).status_code == 404


def test_a_manager_gets_404_for_another_managers_transcript(client, world, personas):
    other = f.ParticipantFactory(municipality=world.borlange)
    client.force_login(personas.manager)
    assert client.get(reverse("reporting:transcript", args=[other.pk])).status_code == 404


def test_transcript_asks_an_anonymous_visitor_to_log_in(client, personas):
    response = client.get(_transcript(personas))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_transcript_takes_only_get(client, personas):
    client.force_login(personas.manager)
    assert client.post(_transcript(personas)).status_code == 405


def test_transcript_link_is_on_the_manager_page_for_hr_only(client, personas):
    link = _transcript(personas)
    page = reverse("enrolment:participant_detail", args=[personas.manager_participant.pk])
    client.force_login(personas.hr_borlange)
    assert link in client.get(page).content.decode()
    client.force_login(personas.head_borlange)
    assert link not in client.get(page).content.decode()


@pytest.mark.parametrize("passes", [1, 4])
def test_transcript_runs_in_a_fixed_number_of_queries(
    client, world, personas, django_assert_max_num_queries, passes
):
    """One manager's transcript costs the same however long their record: it is served
    at once, not as a report request."""
    history = [("new", "HT2022"), ("steering", "VT2023"), ("law", "HT2023"), ("systems", "VT2024")]
    for course, term in history[:passes]:
        f.pass_course(personas.manager_participant, world.courses[course], term)
    client.force_login(personas.manager)
    with django_assert_max_num_queries(12):
        response = client.get(_transcript(personas))
    assert response.status_code == 200
