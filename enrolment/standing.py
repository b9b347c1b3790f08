"""The words that say where a manager stands, for the pages the manager and HR read.

Each label is built from the facts (`enrolment.facts`) and the progress
(`enrolment.progress`) of the day it is asked for; templates show it and never work it
out from enrolment states themselves.
"""

from datetime import date

from django.utils.translation import gettext as _

from . import facts
from .compliance import ComplianceRow, Status
from .models import Enrolment, EnrolmentState
from .progress import Progress, SlotProgress, SlotStatus

S = EnrolmentState


def _d(day: date) -> str:
    return day.isoformat()


def enrolment_label(enrolment: Enrolment, *, on: date) -> str:
    """An enrolment in the programme's own words: nominerad, antagen – startar …,
    registrerad, reservplats nr N, godkänd. A nomination or waitlist place on an offering
    that has started without a seat no longer leads anywhere, and says so. A withdrawal
    that ended a nomination or waitlist place (never a seat) is a withdrawn nomination,
    not a course left: that needs `withdrawn_from` (`selectors.with_withdrawn_from`)."""
    state = enrolment.state
    offering = enrolment.offering
    if state in facts.WAITING_STATES and not facts.is_under_way(enrolment, on=on):
        return _("Not admitted")
    if state == S.NOMINATED:
        return _("Nominated")
    if state == S.WAITLISTED:
        if enrolment.waitlist_position:
            return _("Waitlist place no. %(position)s") % {"position": enrolment.waitlist_position}
        return S(state).label
    if state == S.WITHDRAWN and getattr(enrolment, "withdrawn_from", None) in facts.WAITING_STATES:
        return _("Nomination withdrawn")
    if state == S.ADMITTED:
        if facts.begins(enrolment, on=on):
            return _("Admitted – started %(date)s") % {"date": _d(offering.start_date)}
        return _("Admitted – starts %(date)s") % {"date": _d(offering.start_date)}
    return str(S(state).label)


def slot_label(slot: SlotProgress, *, on: date) -> str:
    """A slot of the programme: passed, credited, not started, or what its enrolment under
    way says (a nomination is not yet a course in progress)."""
    if slot.status == SlotStatus.IN_PROGRESS and slot.current is not None:
        return f"{enrolment_label(slot.current, on=on)}, {slot.current.offering.term}"
    return str(slot.label)


def deadline_line(row: ComplianceRow | None, progress: Progress) -> str:
    """The one sentence about the manager's deadlines: when to start (with the
    completion deadline) until the programme has begun, then only when to be done.
    Empty when no mandate sets one, or when the programme is done."""
    if row is None or row.status in (Status.COMPLETED, Status.EXEMPT):
        return ""
    if row.status == Status.PAUSED:
        return row.reason
    if not progress.begun and row.start_by:
        if row.complete_by:
            return _("Start the programme by %(start)s and complete it by %(end)s.") % {
                "start": _d(row.start_by),
                "end": _d(row.complete_by),
            }
        return _("Start the programme by %(date)s.") % {"date": _d(row.start_by)}
    if row.complete_by:
        return _("Complete the programme by %(date)s.") % {"date": _d(row.complete_by)}
    return ""
