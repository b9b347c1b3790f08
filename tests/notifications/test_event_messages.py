"""Each kind of message on an event, received by a real SMTP server and read back as a
mail client reads it: subject, language, plain text and HTML, calendar file, and the
unsubscribe headers."""

from datetime import date

import pytest
from django.core import signing
from icalendar import Calendar

from enrolment.models import EnrolmentState
from enrolment.services.enrolments import (
    enrolment_admit,
    enrolment_nominate,
    enrolment_record_result,
    enrolment_register,
    enrolment_withdraw,
)
from enrolment.services.requests import nomination_request_create, nomination_request_decline
from notifications.kinds import Kind
from notifications.models import Message, MessageState
from reporting.services.certificates import certificate_issue
from tests import factories as f

pytestmark = pytest.mark.django_db


def parts(email) -> tuple[str, str, list]:
    text = email.get_body(preferencelist=("plain",)).get_content()
    html = email.get_body(preferencelist=("html",)).get_content()
    return text, html, list(email.iter_attachments())


def assert_unsubscribe_headers(email, address, kind):
    link = email["List-Unsubscribe"].strip()
    assert link.startswith("<https://ledarskap.example.se/meddelanden/avsluta/"), link
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = link.strip("<>").rstrip("/").rsplit("/", 1)[1]
    assert signing.loads(token, salt="notifications.unsubscribe") == {"e": address, "k": kind}


@pytest.fixture
def vt2027(world):
    return f.OfferingFactory(
        course=world.courses["new"], term="VT2027", seats=1, application_deadline=date(2026, 12, 10)
    )


@pytest.fixture
def send(smtp, eager, django_capture_on_commit_callbacks):
    """Run a service and let its messages go out after the commit, as in production."""

    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


def test_nominated_in_swedish_with_both_parts_and_unsubscribe(send, smtp, town, vt2027):
    send(enrolment_nominate, participant=town.participant, offering=vt2027, actor=town.hr)

    email = smtp.one("lisa.berg@borlange.se", "Nominerad")
    assert email["Subject"] == "Nominerad till Ny som ledare"
    assert email["Content-Language"] == "sv"
    text, html, attachments = parts(email)
    assert "Du har nominerats till Ny som ledare, VT2027 (2027-01-19–2027-06-07)." in text
    assert "https://ledarskap.example.se/min-utbildning/" in text
    assert (
        '<html lang="sv">' in html and 'href="https://ledarskap.example.se/min-utbildning/"' in html
    )
    assert attachments == []
    assert_unsubscribe_headers(email, "lisa.berg@borlange.se", Kind.NOMINATED)
    # HR nominated: no copy to them.
    assert smtp.to("personal@borlange.se") == []


def test_admitted_carries_the_course_dates_as_a_calendar_file(send, smtp, town, vt2027, personas):
    enrolment = enrolment_nominate(participant=town.participant, offering=vt2027, actor=town.hr)
    send(enrolment_admit, enrolment=enrolment, actor=personas.programme_admin)

    email = smtp.one("lisa.berg@borlange.se", "Antagen")
    text, html, attachments = parts(email)
    assert "2027-01-19" in text and "2027-06-07" in text
    (ics,) = attachments
    assert ics.get_content_type() == "text/calendar"
    calendar = Calendar.from_ical(ics.get_content())
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Ny som ledare (VT2027)"
    assert event.decoded("DTSTART") == date(2027, 1, 19)
    assert event.decoded("DTEND") == date(2027, 6, 8)
    # An admission cannot be turned off, so it offers no unsubscribe.
    assert email["List-Unsubscribe"] is None
    assert "kan inte stängas av" in text
    # HR gets a copy that names the manager, without a calendar file.
    copy = smtp.one("personal@borlange.se", "Antagen")
    copy_text, _html, copy_attachments = parts(copy)
    assert "Lisa Berg" in copy_text and copy_attachments == []
    assert f"/chefer/{town.participant.pk}/" in copy_text


def test_waitlisted_then_admitted_from_the_waitlist_and_the_other_withdrawn(
    send, smtp, town, vt2027, personas, world
):
    other = f.ParticipantFactory(
        municipality=world.borlange, email="olle.ek@borlange.se", first_name="Olle"
    )
    first = enrolment_nominate(participant=other, offering=vt2027, actor=town.hr)
    enrolment_admit(enrolment=first, actor=personas.programme_admin)
    mine = enrolment_nominate(participant=town.participant, offering=vt2027, actor=town.hr)
    send(enrolment_admit, enrolment=mine, actor=personas.programme_admin)

    waitlisted = smtp.one("lisa.berg@borlange.se", "Reservplats")
    assert "nummer 1 på reservlistan" in parts(waitlisted)[0]
    assert_unsubscribe_headers(waitlisted, "lisa.berg@borlange.se", Kind.WAITLISTED)

    send(enrolment_withdraw, enrolment=first, actor=personas.programme_admin)
    seat = smtp.one("lisa.berg@borlange.se", "En plats på")
    assert len(parts(seat)[2]) == 1
    withdrawn = smtp.one("olle.ek@borlange.se", "Avanmäld")
    assert "Lisa" not in parts(withdrawn)[0]


def test_registered_result_and_certificate(send, smtp, town, personas, world):
    offering = f.OfferingFactory(course=world.courses["systems"], term="HT2025")
    enrolment = f.EnrolmentFactory(
        participant=town.participant, offering=offering, state=EnrolmentState.ADMITTED
    )
    enrolment = send(enrolment_register, enrolment=enrolment, actor=personas.programme_admin)
    assert smtp.one("lisa.berg@borlange.se", "Registrerad")
    for course, term in (("new", "HT2022"), ("steering", "VT2023"), ("law", "HT2023")):
        f.pass_course(town.participant, world.courses[course], term)
    send(
        enrolment_record_result,
        enrolment=enrolment,
        grade="G",
        credits=offering.course.credits,
        result_date=date(2026, 1, 10),
        actor=personas.programme_admin,
    )
    result = smtp.one("lisa.berg@borlange.se", "Resultat")
    assert "G (godkänd)" in parts(result)[0]
    send(certificate_issue, participant=town.participant, on=date(2026, 1, 12))
    certificate = smtp.one("lisa.berg@borlange.se", "Intyg")
    code = town.participant.certificates.get().code
    assert code in parts(certificate)[0]
    assert smtp.one("personal@borlange.se", "Intyg")


def test_request_answered(send, smtp, town, vt2027):
    request = nomination_request_create(participant=town.participant, offering=vt2027)
    send(nomination_request_decline, request=request, actor=town.hr)
    email = smtp.one("lisa.berg@borlange.se", "Svar")
    assert "har avslagits" in parts(email)[0]


def test_english_for_a_manager_who_chose_english(send, smtp, town, vt2027):
    town.manager.preferred_language = "en"
    town.manager.save()
    send(enrolment_nominate, participant=town.participant, offering=vt2027, actor=town.hr)
    email = smtp.one("lisa.berg@borlange.se", "Nominated")
    assert email["Content-Language"] == "en"
    assert "You have been nominated to Ny som ledare" in parts(email)[0]
    assert '<html lang="en">' in parts(email)[1]


def test_a_change_rolled_back_sends_nothing(send, smtp, town, vt2027):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        enrolment_nominate(participant=town.participant, offering=vt2027, actor=town.hr)
        raise RuntimeError("undone")
    assert Message.objects.count() == 0
    send(enrolment_nominate, participant=town.participant, offering=vt2027, actor=town.hr)
    assert Message.objects.get().state == MessageState.SENT
