"""Messages sent by a real Celery worker process on Redis and the test database, to the
test's SMTP server: the path production takes, from a committed change or from beat."""

import time

import pytest
from django.conf import settings

from enrolment.services.enrolments import enrolment_nominate
from notifications.models import Message, MessageState
from notifications.tasks import reminders_daily
from portal.celery import app as celery_app
from tests import factories as f
from tests.workers import purge_queue, queue_name, start_worker, stop_worker, wait_until_ready

pytestmark = pytest.mark.worker


@pytest.fixture
def mail_worker(transactional_db, smtp):
    """A worker of this test alone (its own queue), whose e-mail goes to the SMTP server."""
    queue = f"{queue_name()}-mail"
    before = celery_app.conf.task_default_queue
    process = start_worker(
        "mail",
        queue=queue,
        extra_env={
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(settings.EMAIL_PORT),
            "SITE_URL": settings.SITE_URL,
        },
    )
    try:
        wait_until_ready(process)
        yield process
    finally:
        stop_worker(process)
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_purge(queue)
        celery_app.conf.task_default_queue = before
        if before == queue_name():
            purge_queue()


def _state_once_sent(timeout: float = 30.0) -> str:
    """The message's state once the worker has recorded the send: the SMTP server has the
    mail a moment before the worker's answer from it is written."""
    deadline = time.monotonic() + timeout
    while (state := Message.objects.get().state) == MessageState.SENDING:
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    return state


def _wait_for(inbox, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(inbox.received) < count:
        time.sleep(0.1)
    assert len(inbox.received) >= count, [m["Subject"] for _r, m in inbox.received]


def test_a_committed_nomination_is_mailed_by_the_worker(mail_worker, smtp, town, world):
    offering = f.OfferingFactory(course=world.courses["new"], term="VT2027")
    enrolment_nominate(participant=town.participant, offering=offering, actor=town.hr)
    _wait_for(smtp, 1)
    ((rcpt, email),) = smtp.received
    assert rcpt == ("lisa.berg@borlange.se",)
    assert email["Subject"] == "Nominerad till Ny som ledare"
    assert email["List-Unsubscribe"].strip().startswith("<https://ledarskap.example.se/")
    assert _state_once_sent() == MessageState.SENT


def test_beats_daily_task_sends_todays_reminders_once(mail_worker, smtp, town):
    # The town's manager must start by 2027-01-15: within 60 days of the test's today.
    assert reminders_daily.delay().get(timeout=60) >= 1
    assert reminders_daily.delay().get(timeout=60) == 0
    expected = Message.objects.count()
    _wait_for(smtp, expected)
    time.sleep(0.5)
    assert len(smtp.received) == expected
    assert set(Message.objects.values_list("state", flat=True)) == {MessageState.SENT}
