"""The kinds of message the portal sends, and which of them a person may turn off."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    NOMINATED = "nominated", _("You were nominated")
    ADMITTED = "admitted", _("You were admitted")
    WAITLISTED = "waitlisted", _("You were put on the waitlist")
    ADMITTED_FROM_WAITLIST = "admitted_from_waitlist", _("You were admitted from the waitlist")
    REGISTERED = "registered", _("You were registered on a course")
    RESULT_RECORDED = "result_recorded", _("A course result was recorded")
    CERTIFICATE_ISSUED = "certificate_issued", _("Your certificate was issued")
    WITHDRAWN = "withdrawn", _("You were withdrawn from a course")
    REQUEST_ANSWERED = "request_answered", _("Your request to be nominated was answered")
    START_REMINDER = "start_reminder", _("Start deadline approaching")
    COMPLETION_REMINDER = "completion_reminder", _("Completion deadline approaching")
    OVERDUE = "overdue", _("Deadline passed")
    HR_DIGEST = "hr_digest", _("Weekly digest for HR")
    HEAD_SUMMARY = "head_summary", _("Monthly summary of overdue and at-risk managers")


# Messages that change what a person must do: they cannot be turned off.
MANDATORY = frozenset({Kind.ADMITTED, Kind.ADMITTED_FROM_WAITLIST, Kind.WITHDRAWN, Kind.OVERDUE})

# Event messages that also go to the manager's HR administrators.
COPY_TO_HR = frozenset(
    {
        Kind.ADMITTED,
        Kind.WAITLISTED,
        Kind.ADMITTED_FROM_WAITLIST,
        Kind.RESULT_RECORDED,
        Kind.CERTIFICATE_ISSUED,
        Kind.WITHDRAWN,
    }
)

# The kinds each role can receive, for the preferences page.
MANAGER_KINDS = (
    Kind.NOMINATED,
    Kind.ADMITTED,
    Kind.WAITLISTED,
    Kind.ADMITTED_FROM_WAITLIST,
    Kind.REGISTERED,
    Kind.RESULT_RECORDED,
    Kind.CERTIFICATE_ISSUED,
    Kind.WITHDRAWN,
    Kind.REQUEST_ANSWERED,
    Kind.START_REMINDER,
    Kind.COMPLETION_REMINDER,
    Kind.OVERDUE,
)
HR_KINDS = (
    *sorted(COPY_TO_HR),
    Kind.START_REMINDER,
    Kind.COMPLETION_REMINDER,
    Kind.OVERDUE,
    Kind.HR_DIGEST,
)
HEAD_KINDS = (Kind.HEAD_SUMMARY,)


def is_mandatory(kind: str) -> bool:
    return kind in MANDATORY
