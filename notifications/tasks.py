"""Celery tasks: thin, each loads by id or by day and calls a service."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .models import MessageState
from .reminders import reminders_queue
from .selectors import messages_to_resend
from .services import backoff, message_deliver, messages_interrupted_fail


@shared_task(bind=True, acks_late=True)
def send_message(self, message_id: int) -> str | None:
    """Send one message; after a failure that may pass, try again later with backoff
    until NOTIFICATIONS_MAX_ATTEMPTS, then it is listed as failed."""
    message = message_deliver(message_id=message_id)
    if message is None:
        return None
    if message.state == MessageState.PENDING:
        raise self.retry(countdown=backoff(message.attempts), max_retries=None)
    return message.state


@shared_task
def reminders_daily() -> int:
    """The day's reminders, and on their days the HR digest and the heads' summary."""
    return len(reminders_queue(on=timezone.localdate()))


@shared_task
def sweep_messages() -> int:
    """Send what never reached a worker (broker down when it was written) and fail what a
    worker left half-sent."""
    messages_interrupted_fail(before=timezone.now() - timedelta(minutes=30))
    resent = 0
    for message_id in messages_to_resend(now=timezone.now()):
        if message_deliver(message_id=message_id) is not None:
            resent += 1
    return resent
