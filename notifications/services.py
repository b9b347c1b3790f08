"""Everything that writes messages: the sent log, sending with retries, turning kinds of
message off, and the calendar feed's secret.

A message is first written to the log (insert-or-skip on the unique constraint), then
sent by a Celery task after the transaction commits. Sending claims the row with a
conditional update, so a message is sent by one worker only.
"""

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .content import compose
from .kinds import Kind, is_mandatory
from .models import CalendarFeed, Message, MessageState, OptOut, new_feed_token
from .recipients import Recipient

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "notifications.unsubscribe"


@dataclass(frozen=True)
class Planned:
    """A message to write to the log: kind, recipient, what it is about and its deadline."""

    kind: str
    recipient: Recipient
    subject: object
    participant: object | None = None
    deadline: date | None = None
    lead_days: int = 0


def message_record(*, planned: Planned, dispatch: bool = True) -> Message | None:
    """Write the message to the log once; None when it is there already (from this run,
    an earlier one or one running at the same time). Sent after the commit."""
    try:
        with transaction.atomic():
            message = Message.objects.create(
                kind=planned.kind,
                recipient_email=planned.recipient.email.lower(),
                user=planned.recipient.user,
                participant=planned.participant,
                deadline=planned.deadline,
                lead_days=planned.lead_days,
                language=planned.recipient.language,
                **Message.subject_key(planned.subject),
            )
    except IntegrityError:
        return None
    if dispatch:
        transaction.on_commit(partial(message_dispatch, message.pk))
    return message


def message_dispatch(message_id: int) -> None:
    """Queue the sending; if the broker cannot be reached the message stays pending and
    the sweep sends it."""
    from .tasks import send_message

    try:
        send_message.delay(message_id)
    except Exception:
        logger.warning("Message %s could not be queued; the sweep will send it", message_id)


def backoff(attempts: int) -> int:
    """Seconds before the next attempt: the base delay, four times longer each time."""
    return settings.NOTIFICATIONS_RETRY_SECONDS * 4 ** max(attempts - 1, 0)


def is_opted_out(email: str, kind: str) -> bool:
    if is_mandatory(kind):
        return False
    return OptOut.objects.filter(email__iexact=email, kind=kind).exists()


def _finish(message: Message, state: str, **fields) -> Message:
    Message.objects.filter(pk=message.pk).update(state=state, **fields)
    message.state = state
    return message


def message_deliver(*, message_id: int) -> Message | None:
    """Send one pending message. Returns it with its new state (pending again, with the
    time of the next attempt, after a failure that may pass), or None when another
    worker has it or it is gone."""
    claimed = Message.objects.filter(pk=message_id, state=MessageState.PENDING).update(
        state=MessageState.SENDING, attempts=F("attempts") + 1, claimed_at=timezone.now()
    )
    if not claimed:
        return None
    message = Message.objects.select_related("participant", "user").get(pk=message_id)
    if is_opted_out(message.recipient_email, message.kind):
        return _finish(message, MessageState.SKIPPED, last_error=_("Turned off by the recipient."))
    try:
        email = message_email(message)
        if email is None:
            return _finish(message, MessageState.SKIPPED, last_error=_("No longer relevant."))
        email.send()
    except Exception as exc:
        logger.warning("Message %s failed: %s", message.pk, exc)
        return _failed(message, exc)
    return _finish(message, MessageState.SENT, sent_at=timezone.now(), last_error="")


def _failed(message: Message, exc: Exception) -> Message:
    error = f"{type(exc).__name__}: {exc}"[:500]
    if message.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
        return _finish(message, MessageState.FAILED, last_error=error)
    retry_at = timezone.now() + timedelta(seconds=backoff(message.attempts))
    message.next_attempt_at = retry_at
    return _finish(message, MessageState.PENDING, last_error=error, next_attempt_at=retry_at)


def unsubscribe_token(email: str, kind: str) -> str:
    return signing.dumps({"e": email.lower(), "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[str, str]:
    """The address and kind a token was made for; ValidationError for a forged,
    altered or mandatory one."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        email, kind = data["e"], data["k"]
    except (signing.BadSignature, KeyError, TypeError) as exc:
        raise ValidationError(_("The link is not valid."), code="bad_token") from exc
    if kind not in Kind.values or is_mandatory(kind):
        raise ValidationError(_("The link is not valid."), code="bad_token")
    return email, kind


def kind_turn_off(*, email: str, kind: str) -> None:
    if is_mandatory(kind):
        raise ValidationError(_("This message cannot be turned off."), code="mandatory")
    OptOut.objects.get_or_create(email=email.lower(), kind=kind)


def kinds_set(*, emails, kinds_on, offered) -> None:
    """Save a person's choices: the offered kinds not chosen are turned off."""
    with transaction.atomic():
        for email in emails:
            OptOut.objects.filter(email__iexact=email, kind__in=kinds_on).delete()
            for kind in offered:
                if kind not in kinds_on and not is_mandatory(kind):
                    kind_turn_off(email=email, kind=kind)


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def message_email(message: Message) -> EmailMultiAlternatives | None:
    """The e-mail for a message, in its recipient's language, HTML and plain text."""
    with translation.override(message.language):
        content = compose(message)
        if content is None:
            return None
        context = {"content": content, "link": _absolute(content.link)}
        headers = {}
        if not is_mandatory(message.kind):
            token = unsubscribe_token(message.recipient_email, message.kind)
            unsubscribe = _absolute(reverse("notifications:unsubscribe", args=[token]))
            context.update(unsubscribe=unsubscribe, kind_label=Kind(message.kind).label)
            headers = {
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            }
        context["preferences"] = _absolute(reverse("notifications:preferences"))
        text = render_to_string("notifications/email/message.txt", context)
        html = render_to_string("notifications/email/message.html", context)
    email = EmailMultiAlternatives(
        subject=content.subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient_email],
        headers={"Content-Language": message.language, **headers},
    )
    email.attach_alternative(html, "text/html")
    if content.attachment:
        email.attach(*content.attachment)
    return email


def feed_of(participant) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(participant=participant)
    return feed


def feed_reset(*, participant) -> CalendarFeed:
    """A new secret URL for the manager's feed; the old one stops working at once."""
    with transaction.atomic():
        feed = feed_of(participant)
        feed.token = new_feed_token()
        feed.save(update_fields=["token", "created_at"])
    return feed


def messages_interrupted_fail(*, before) -> int:
    """Messages a worker began to send and never finished are listed as failed rather
    than sent twice."""
    return Message.objects.filter(state=MessageState.SENDING, claimed_at__lt=before).update(
        state=MessageState.FAILED, last_error=_("Sending was interrupted.")
    )
