"""What each kind of message says: subject, a few short paragraphs and the one link that
matters, in the recipient's language (the caller activates it). A message to a manager
speaks of them only; a copy to HR names the manager it is about."""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from enrolment.models import EnrolmentState, NominationRequestState

from . import ics
from .kinds import Kind


@dataclass
class Content:
    subject: str
    paragraphs: list[str]
    link: str
    link_text: str
    items: list[str] = field(default_factory=list)
    attachment: tuple[str, bytes, str] | None = None


def _for_manager(message) -> bool:
    participant = message.participant
    return participant is not None and message.recipient_email == participant.email.lower()


def _manager_link(message) -> tuple[str, str]:
    if _for_manager(message):
        return reverse("enrolment:my_programme"), _("Open My programme")
    return (
        reverse("enrolment:participant_detail", args=[message.participant_id]),
        _("Open the manager's page"),
    )


def _course(enrolment) -> dict:
    offering = enrolment.offering
    return {
        "course": offering.course.title,
        "term": offering.term,
        "start": offering.start_date.isoformat(),
        "end": offering.end_date.isoformat(),
    }


EVENT_TEXT = {
    Kind.NOMINATED: (
        lambda: _("Nominated to %(course)s"),
        lambda: _("You have been nominated to %(course)s, %(term)s (%(start)s–%(end)s)."),
        lambda: _("%(name)s has been nominated to %(course)s, %(term)s."),
    ),
    Kind.ADMITTED: (
        lambda: _("Admitted to %(course)s"),
        lambda: _(
            "You have been admitted to %(course)s, %(term)s. The course runs from %(start)s "
            "to %(end)s; the dates are attached as a calendar file."
        ),
        lambda: _("%(name)s has been admitted to %(course)s, %(term)s (%(start)s–%(end)s)."),
    ),
    Kind.ADMITTED_FROM_WAITLIST: (
        lambda: _("A seat on %(course)s"),
        lambda: _(
            "A seat became free and you have been admitted to %(course)s, %(term)s. The "
            "course runs from %(start)s to %(end)s; the dates are attached as a calendar file."
        ),
        lambda: _("%(name)s has been admitted from the waitlist to %(course)s, %(term)s."),
    ),
    Kind.WAITLISTED: (
        lambda: _("Waitlisted for %(course)s"),
        lambda: _(
            "%(course)s, %(term)s is full. You are number %(place)s on the waitlist and get "
            "an e-mail if a seat becomes free."
        ),
        lambda: _("%(name)s is number %(place)s on the waitlist for %(course)s, %(term)s."),
    ),
    Kind.REGISTERED: (
        lambda: _("Registered on %(course)s"),
        lambda: _("You are registered on %(course)s, %(term)s (%(start)s–%(end)s)."),
        lambda: _("%(name)s is registered on %(course)s, %(term)s."),
    ),
    Kind.RESULT_RECORDED: (
        lambda: _("Result for %(course)s"),
        lambda: _("Your result for %(course)s, %(term)s has been recorded: %(grade)s."),
        lambda: _("The result of %(name)s for %(course)s, %(term)s: %(grade)s."),
    ),
    Kind.WITHDRAWN: (
        lambda: _("Withdrawn from %(course)s"),
        lambda: _("Your place on %(course)s, %(term)s has been withdrawn."),
        lambda: _("%(name)s has been withdrawn from %(course)s, %(term)s."),
    ),
}


def _event(message) -> Content | None:
    event = message.subject
    if event is None:
        return None
    enrolment = event.enrolment
    values = {
        **_course(enrolment),
        "name": enrolment.participant.full_name,
        "place": enrolment.waitlist_position or "–",
        "grade": enrolment.get_grade_display() or EnrolmentState(event.to_state).label,
    }
    subject, to_manager, to_hr = EVENT_TEXT[message.kind]
    text = to_manager() if _for_manager(message) else to_hr()
    link, link_text = _manager_link(message)
    content = Content(subject() % values, [text % values], link, link_text)
    if message.kind in (Kind.ADMITTED, Kind.ADMITTED_FROM_WAITLIST) and _for_manager(message):
        content.attachment = ("kurs.ics", ics.offering_ics(enrolment), "text/calendar")
    return content


def _certificate(message) -> Content | None:
    certificate = message.subject
    if certificate is None or certificate.revoked_at is not None:
        return None
    values = {"name": certificate.participant.full_name, "code": certificate.code}
    if _for_manager(message):
        text = _(
            "You have completed the programme. Your certificate has verification code %(code)s."
        )
    else:
        text = _("%(name)s has completed the programme and been issued a certificate.")
    link, link_text = _manager_link(message)
    return Content(_("Certificate issued"), [text % values], link, link_text)


def _request_answered(message) -> Content | None:
    request = message.subject
    if request is None:
        return None
    values = {"course": request.offering.course.title, "term": request.offering.term}
    if request.state == NominationRequestState.NOMINATED:
        text = _("Your request has been granted: you are nominated to %(course)s, %(term)s.")
    else:
        text = _("Your request to be nominated to %(course)s, %(term)s has been declined.")
    return Content(
        _("Answer to your request"),
        [text % values],
        reverse("enrolment:my_programme"),
        _("Open My programme"),
    )


def _reminder(message) -> Content | None:
    participant = message.participant
    values = {"name": participant.full_name, "date": message.deadline.isoformat()}
    texts = {
        Kind.START_REMINDER: (
            _("Start the programme by %(date)s"),
            _("Your municipality asks you to begin the programme by %(date)s."),
            _("%(name)s should begin the programme by %(date)s."),
        ),
        Kind.COMPLETION_REMINDER: (
            _("Complete the programme by %(date)s"),
            _("Your municipality asks you to complete the programme by %(date)s."),
            _("%(name)s should complete the programme by %(date)s."),
        ),
        Kind.OVERDUE: (
            _("Deadline passed"),
            _("The deadline %(date)s has passed. Talk to your HR administrator about a course."),
            _("%(name)s has passed the deadline %(date)s."),
        ),
    }
    subject, to_manager, to_hr = texts[message.kind]
    text = to_manager if _for_manager(message) else to_hr
    link, link_text = _manager_link(message)
    return Content(subject % values, [text % values], link, link_text)


def _hr_digest(message) -> Content | None:
    from .digests import hr_digest

    digest = hr_digest(message.user, on=message.deadline)
    if digest.is_empty:
        return None
    items = [
        _("Request from %(name)s: %(course)s, %(term)s")
        % {
            "name": r.participant.full_name,
            "course": r.offering.course.title,
            "term": r.offering.term,
        }
        for r in digest.requests
    ]
    items += [
        _("Nomination deadline %(date)s: %(course)s, %(term)s")
        % {"date": o.application_deadline.isoformat(), "course": o.course.title, "term": o.term}
        for o in digest.offerings
    ]
    items += [
        _("Should start then: %(name)s (start by %(date)s)")
        % {"name": row.participant.full_name, "date": row.start_by.isoformat()}
        for row in digest.should_start
    ]
    return Content(
        _("This week: requests and nomination deadlines"),
        [_("Open requests and offerings whose nomination deadline is near.")],
        reverse("enrolment:request_list"),
        _("Open the requests"),
        items=items,
    )


def _head_summary(message) -> Content | None:
    from .digests import head_summary

    rows = head_summary(message.user, on=message.deadline)
    if not rows:
        return None
    items = [
        f"{row.participant.full_name}, {row.participant.municipality}: "
        f"{row.status_label} – {row.reason}"
        for row in rows
    ]
    return Content(
        _("Overdue and at-risk managers, %(month)s")
        % {"month": message.deadline.strftime("%Y-%m")},
        [_("These managers have passed a deadline or are at risk of missing one.")],
        reverse("enrolment:compliance_home"),
        _("Open compliance"),
        items=items,
    )


COMPOSERS = {
    **dict.fromkeys(EVENT_TEXT, _event),
    Kind.CERTIFICATE_ISSUED: _certificate,
    Kind.REQUEST_ANSWERED: _request_answered,
    Kind.START_REMINDER: _reminder,
    Kind.COMPLETION_REMINDER: _reminder,
    Kind.OVERDUE: _reminder,
    Kind.HR_DIGEST: _hr_digest,
    Kind.HEAD_SUMMARY: _head_summary,
}


def compose(message) -> Content | None:
    """The message's content, or None when its subject no longer calls for it."""
    return COMPOSERS[message.kind](message)
