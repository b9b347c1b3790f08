"""Messages on events, from the rows the enrolment and reporting services already write:
each change of an enrolment's state (EnrolmentEvent), a certificate issued and a request
answered. Listening to their saves keeps those services unaware of messages.

The message is written in the same transaction as the event, so a rolled-back change
sends nothing; it is sent after the commit.
"""

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from enrolment.models import EnrolmentEvent, EnrolmentState, NominationRequest, Participant
from enrolment.models import NominationRequestState as RequestState
from reporting.models import Certificate

from . import recipients
from .kinds import COPY_TO_HR, Kind
from .models import OptOut
from .services import Planned, message_record

logger = logging.getLogger(__name__)

S = EnrolmentState

EVENT_KINDS = {
    S.NOMINATED: Kind.NOMINATED,
    S.ADMITTED: Kind.ADMITTED,
    S.WAITLISTED: Kind.WAITLISTED,
    S.REGISTERED: Kind.REGISTERED,
    S.PASSED: Kind.RESULT_RECORDED,
    S.FAILED: Kind.RESULT_RECORDED,
    S.WITHDRAWN: Kind.WITHDRAWN,
}


def event_kind(event: EnrolmentEvent) -> str | None:
    if event.to_state == S.ADMITTED and event.from_state == S.WAITLISTED:
        return Kind.ADMITTED_FROM_WAITLIST
    return EVENT_KINDS.get(event.to_state)


def notify(kind: str, subject, participant) -> None:
    """Write the message to the manager, and copies to their HR where that helps. A
    failure here is logged and never undoes the change that caused it."""
    to = [recipients.manager(participant)]
    if kind in COPY_TO_HR:
        to += recipients.hr_of(participant)
    try:
        with transaction.atomic():
            for recipient in to:
                message_record(planned=Planned(kind, recipient, subject, participant))
    except Exception:
        logger.exception("Message %s about %s could not be written", kind, participant.pk)


def on_enrolment_event(sender, instance: EnrolmentEvent, created, raw=False, **kwargs):
    kind = event_kind(instance) if created and not raw else None
    if kind:
        notify(kind, instance, instance.enrolment.participant)


def on_certificate(sender, instance: Certificate, created, raw=False, **kwargs):
    if created and not raw:
        notify(Kind.CERTIFICATE_ISSUED, instance, instance.participant)


def on_request(sender, instance: NominationRequest, created, raw=False, update_fields=None, **kw):
    answered = instance.state in (RequestState.NOMINATED, RequestState.DECLINED)
    if not raw and answered and (update_fields is None or "state" in update_fields):
        notify(Kind.REQUEST_ANSWERED, instance, instance.participant)


def on_participant_deleted(sender, instance: Participant, **kwargs):
    """A manager's messages and calendar feed go with their record (foreign keys); the
    kinds turned off for their work address go too, unless an account still uses it."""
    if not get_user_model().objects.filter(email__iexact=instance.email).exists():
        OptOut.objects.filter(email__iexact=instance.email).delete()


def connect() -> None:
    post_save.connect(on_enrolment_event, sender=EnrolmentEvent, dispatch_uid="notify-enrolment")
    post_save.connect(on_certificate, sender=Certificate, dispatch_uid="notify-certificate")
    post_save.connect(on_request, sender=NominationRequest, dispatch_uid="notify-request")
    post_delete.connect(on_participant_deleted, sender=Participant, dispatch_uid="notify-thin")
