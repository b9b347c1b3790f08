"""Sending that fails is retried by Celery with backoff, then listed for the programme
administrator of the manager's region, and for nobody else."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications import recipients
from notifications.kinds import Kind
from notifications.models import Message, MessageState
from notifications.services import Planned, backoff, message_record
from notifications.tasks import send_message, sweep_messages
from tests import factories as f
from tests.notifications.conftest import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp_down(settings):
    """An SMTP server that does not answer: nothing listens on the port."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_TIMEOUT = 2
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3


def reminder(town) -> Message:
    participant = town.participant
    planned = Planned(
        Kind.START_REMINDER,
        recipients.manager(participant),
        participant,
        participant,
        date(2027, 1, 15),
        60,
    )
    return message_record(planned=planned, dispatch=False)


def test_backoff_grows_fourfold(settings):
    settings.NOTIFICATIONS_RETRY_SECONDS = 60
    assert [backoff(n) for n in (1, 2, 3)] == [60, 240, 960]


def test_retried_until_the_last_attempt_then_listed_as_failed(smtp_down, eager, town):
    message = reminder(town)
    result = send_message.apply(args=[message.pk])
    message.refresh_from_db()
    assert message.state == MessageState.FAILED
    assert message.attempts == 3
    assert "ConnectionRefusedError" in message.last_error
    assert result.get(propagate=False) == MessageState.FAILED


def test_a_message_that_failed_once_is_sent_by_the_next_attempt(smtp, eager, town):
    message = reminder(town)
    Message.objects.filter(pk=message.pk).update(attempts=1, last_error="SMTPServerDisconnected")
    assert send_message.apply(args=[message.pk]).get() == MessageState.SENT
    assert len(smtp.received) == 1


def test_the_sweep_sends_what_never_reached_a_worker(smtp, town):
    message = reminder(town)
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert sweep_messages.apply().get() == 1
    message.refresh_from_db()
    assert message.state == MessageState.SENT


def test_failed_messages_are_listed_for_the_regions_programme_admin_only(
    client, smtp_down, eager, town, world, personas, django_assert_max_num_queries
):
    send_message.apply(args=[reminder(town).pk])
    other_region = f.RegionFactory(county_code="21", name="Gävleborg")
    other_admin = f.UserFactory(email="admin@gavleborg.se")
    f.RoleAssignmentFactory(user=other_admin, role="programme_admin", region=other_region)

    client.force_login(personas.programme_admin)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("notifications:failed_list"))
    assert page.status_code == 200
    assert "lisa.berg@borlange.se" in page.content.decode()
    # Twenty more failures cost no more queries.
    for n in range(20):
        participant = f.ParticipantFactory(municipality=world.falun, email=f"m{n}@falun.se")
        planned = Planned(Kind.OVERDUE, recipients.manager(participant), participant, participant)
        message = message_record(planned=planned, dispatch=False)
        Message.objects.filter(pk=message.pk).update(state=MessageState.FAILED)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("notifications:failed_list"))
    assert page.content.decode().count("@falun.se") == 20

    client.force_login(other_admin)
    page = client.get(reverse("notifications:failed_list"))
    assert "lisa.berg@borlange.se" not in page.content.decode()
