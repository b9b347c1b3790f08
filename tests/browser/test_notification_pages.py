"""The e-mail pages, visited in Chromium and checked with axe-core for WCAG 2.1 A and AA:
a manager's choices and calendar address, the unsubscribe page reached from an e-mail
without logging in, and the programme administrator's list of failed e-mails."""

from datetime import date

import pytest
from django.urls import reverse

from notifications import recipients
from notifications.kinds import Kind
from notifications.models import Message, MessageState, OptOut
from notifications.services import Planned, message_record, unsubscribe_token

from .helpers import check_accessibility, log_in, path, submit

pytestmark = pytest.mark.browser


def _visit(page, where: str, url: str, status: int = 200) -> None:
    response = page.goto(url)
    assert response.status == status, f"{where}: {url} answered {response.status}"
    check_accessibility(page, where)


def test_a_manager_chooses_and_resets_the_calendar_address(personas, page):
    log_in(page, personas.manager, check_start=False)
    preferences = reverse("notifications:preferences")
    _visit(page, "the e-mail choices", preferences)
    page.locator(f"#kind-{Kind.START_REMINDER}").uncheck()
    submit(page, "main form[method=post]:not([action])")
    assert path(page) == preferences
    check_accessibility(page, "the e-mail choices after saving")
    assert OptOut.objects.filter(kind=Kind.START_REMINDER).exists()
    old = page.locator("#feed-url").input_value()
    submit(page, f"main form[action='{reverse('notifications:feed_reset')}']")
    assert page.locator("#feed-url").input_value() != old


def test_unsubscribe_from_an_email_without_logging_in(personas, new_page):
    page = new_page()
    token = unsubscribe_token(personas.manager_participant.email, Kind.NOMINATED)
    url = reverse("notifications:unsubscribe", args=[token])
    _visit(page, "the unsubscribe question", url)
    submit(page, "main form[method=post]")
    check_accessibility(page, "the unsubscribe answer")
    assert OptOut.objects.filter(kind=Kind.NOMINATED).exists()
    _visit(page, "a forged unsubscribe link", url[:-3] + "xx/", status=400)


def test_programme_admin_reads_the_failed_emails(personas, page):
    participant = personas.manager_participant
    message = message_record(
        planned=Planned(
            Kind.START_REMINDER,
            recipients.manager(participant),
            participant,
            participant,
            date(2027, 1, 15),
            60,
        ),
        dispatch=False,
    )
    Message.objects.filter(pk=message.pk).update(
        state=MessageState.FAILED, attempts=5, last_error="SMTPRecipientsRefused"
    )
    log_in(page, personas.programme_admin, check_start=False)
    _visit(page, "the failed e-mails", reverse("notifications:failed_list"))
    assert page.locator("main table tbody tr").count() == 1
