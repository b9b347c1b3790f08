"""Calendar files: the course's dates for an admission e-mail, and a manager's private
feed of their course dates and deadlines (read by any calendar client from its URL)."""

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from enrolment import facts
from enrolment.compliance import municipality_compliance

PRODID = "-//Ledarskapsportalen//notifications//SV"


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    return cal


def _host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]


def _all_day(uid: str, summary: str, first: date, last: date) -> Event:
    event = Event()
    event.add("uid", f"{uid}@{_host()}")
    event.add("dtstamp", timezone.now())
    event.add("summary", summary)
    event.add("dtstart", first)
    # DTEND of an all-day event is the day after the last day.
    event.add("dtend", last + timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    return event


def _course_event(enrolment) -> Event:
    offering = enrolment.offering
    return _all_day(
        f"enrolment-{enrolment.pk}",
        f"{offering.course.title} ({offering.term})",
        offering.start_date,
        offering.end_date,
    )


def offering_ics(enrolment) -> bytes:
    cal = _calendar(_("Ledarskapsportalen"))
    cal.add_component(_course_event(enrolment))
    return cal.to_ical()


def _deadlines(participant, on: date):
    """The manager's deadlines as compliance judges them today: the one computation."""
    compliance = municipality_compliance(
        municipality=participant.municipality, on=on, participant_filter=Q(pk=participant.pk)
    )
    return next(iter(compliance.rows), None)


def feed_ics(participant, *, on: date) -> bytes:
    cal = _calendar(_("My programme – Ledarskapsportalen"))
    enrolments = participant.enrolments.filter(
        state__in=(*facts.BEGINNING_STATES, *facts.WAITING_STATES)
    ).select_related("offering__course")
    for enrolment in enrolments:
        cal.add_component(_course_event(enrolment))
    row = _deadlines(participant, on)
    if row is not None and not row.progress.is_complete and not row.progress.exempt_from_programme:
        if row.start_by and not row.progress.begun:
            cal.add_component(
                _all_day(
                    f"start-by-{participant.pk}",
                    _("Start the programme by this day"),
                    row.start_by,
                    row.start_by,
                )
            )
        if row.complete_by:
            cal.add_component(
                _all_day(
                    f"complete-by-{participant.pk}",
                    _("Complete the programme by this day"),
                    row.complete_by,
                    row.complete_by,
                )
            )
    return cal.to_ical()
