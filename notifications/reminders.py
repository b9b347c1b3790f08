"""What is due on a day: reminders from the deadlines compliance computes (the one
computation, never a second rule), the weekly digest for HR on its weekday and the
monthly summary for heads of administration on the first of the month.

A reminder before a deadline is due from its lead day until the deadline, so a day the
run was missed is made up the next day; the sent log holds each one to once per
recipient, kind, deadline and lead.
"""

from collections.abc import Iterable
from datetime import date

from django.conf import settings

from enrolment.compliance import ComplianceRow, Status, compute_compliance
from portal.accounts.models import Role
from programmes.models import Municipality

from . import recipients
from .digests import head_summary, hr_digest
from .kinds import Kind
from .models import Message
from .services import Planned, message_record


def lead_for(deadline: date, on: date, leads: Iterable[int]) -> int | None:
    """The lead (days before the deadline) whose reminder is due on the day: the
    shortest lead not yet passed, or None outside every window."""
    days_left = (deadline - on).days
    if days_left < 0:
        return None
    return min((lead for lead in leads if days_left <= lead), default=None)


def reminders_of(row: ComplianceRow, on: date) -> list[tuple[str, date, int]]:
    """The reminders due on the day for one manager, as (kind, deadline, lead). A manager
    whose clock a deadline decision pauses is reminded of nothing until it runs again."""
    if row.status in (Status.COMPLETED, Status.EXEMPT, Status.PAUSED):
        return []
    if row.status == Status.OVERDUE:
        return [(Kind.OVERDUE, row.deadline, 0)]
    due = []
    if row.start_by and not row.progress.begun:
        lead = lead_for(row.start_by, on, settings.NOTIFICATIONS_START_REMINDER_DAYS)
        if lead is not None:
            due.append((Kind.START_REMINDER, row.start_by, lead))
    if row.complete_by:
        lead = lead_for(row.complete_by, on, settings.NOTIFICATIONS_COMPLETION_REMINDER_DAYS)
        if lead is not None:
            due.append((Kind.COMPLETION_REMINDER, row.complete_by, lead))
    return due


def _reminders(on: date) -> list[Planned]:
    planned = []
    hr_cache = {}
    for result in compute_compliance(Municipality.objects.order_by("pk"), on):
        for row in result.rows:
            due = reminders_of(row, on)
            if not due:
                continue
            participant = row.participant
            place = (participant.municipality_id, participant.administration_id)
            if place not in hr_cache:
                hr_cache[place] = recipients.hr_of(participant)
            to = [recipients.manager(participant), *hr_cache[place]]
            planned += [
                Planned(kind, r, participant, participant, deadline, lead)
                for kind, deadline, lead in due
                for r in to
            ]
    return planned


def _digests(on: date) -> list[Planned]:
    planned = []
    if on.weekday() == settings.NOTIFICATIONS_DIGEST_WEEKDAY:
        for user in recipients.users_with_role(Role.HR_ADMIN):
            if not hr_digest(user, on=on).is_empty:
                r = recipients.Recipient(user.email, recipients.language_of(user), user)
                planned.append(Planned(Kind.HR_DIGEST, r, user, deadline=on))
    if on.day == 1:
        for user in recipients.users_with_role(Role.HEAD_OF_ADMINISTRATION):
            if head_summary(user, on=on):
                r = recipients.Recipient(user.email, recipients.language_of(user), user)
                planned.append(Planned(Kind.HEAD_SUMMARY, r, user, deadline=on))
    return planned


def due_on(on: date) -> list[Planned]:
    """Everything due on the day, whether or not it is in the sent log already."""
    return _reminders(on) + _digests(on)


def is_logged(planned: Planned) -> bool:
    return Message.objects.filter(
        recipient_email__iexact=planned.recipient.email,
        kind=planned.kind,
        deadline=planned.deadline,
        lead_days=planned.lead_days,
        **Message.subject_key(planned.subject),
    ).exists()


def due_unsent(on: date) -> list[Planned]:
    """What a run on the day would send: the due messages not yet in the log."""
    return [p for p in due_on(on) if not is_logged(p)]


def reminders_queue(*, on: date, dispatch: bool = True) -> list[Message]:
    """Write the day's due messages to the log; those written by this run are returned
    (and sent after commit when `dispatch`). Each row commits on its own, so a run at
    the same time waits on the unique index and skips what this one wrote."""
    return [m for p in due_on(on) if (m := message_record(planned=p, dispatch=dispatch))]
