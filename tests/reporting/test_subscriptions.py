"""Monthly reports by e-mail: one e-mail per subscriber and month, however often it runs."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from portal.accounts.models import RoleAssignment
from reporting.models import ReportKind, ReportRequest, ReportSubscription, SubscriptionDelivery
from reporting.tasks import deliver_monthly_reports

pytestmark = pytest.mark.usefixtures("media_root")


@pytest.fixture
def mailbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://portal.example.se"
    mail.outbox.clear()
    return mail.outbox


@pytest.fixture
def subscriptions(world, personas):
    def subscribe(user, kind, municipality, administration=None):
        return ReportSubscription.objects.create(
            user=user, kind=kind, municipality=municipality, administration=administration
        )

    return [
        subscribe(personas.head_borlange, ReportKind.PROGRESS, world.borlange),
        subscribe(personas.head_borlange, ReportKind.COMPLIANCE, world.borlange),
        subscribe(
            personas.head_borlange_social,
            ReportKind.PROGRESS,
            world.borlange,
            world.borlange_social,
        ),
        subscribe(personas.hr_falun, ReportKind.PROGRESS, world.falun),
    ]


def test_the_monthly_run_twice_sends_one_e_mail_per_subscriber(personas, subscriptions, mailbox):
    assert deliver_monthly_reports("2026-11-01") == 3
    assert deliver_monthly_reports("2026-11-01") == 0
    assert deliver_monthly_reports("2026-11-17") == 0  # the same month

    recipients = sorted(message.to[0] for message in mailbox)
    assert recipients == sorted(
        [personas.head_borlange.email, personas.head_borlange_social.email, personas.hr_falun.email]
    )
    assert SubscriptionDelivery.objects.count() == 4
    assert ReportRequest.objects.count() == 4


def test_the_e_mail_links_to_each_report_download(personas, subscriptions, mailbox):
    deliver_monthly_reports("2026-11-01")
    message = next(m for m in mailbox if m.to == [personas.head_borlange.email])
    reports = ReportRequest.objects.filter(requested_by=personas.head_borlange)
    assert {r.kind for r in reports} == {ReportKind.PROGRESS, ReportKind.COMPLIANCE}
    for report in reports:
        url = "https://portal.example.se" + reverse("reporting:report_download", args=[report.pk])
        assert url in message.body
    assert "Borlänge" in message.body


def test_a_new_month_sends_again(personas, subscriptions, mailbox):
    deliver_monthly_reports("2026-10-01")
    deliver_monthly_reports("2026-11-01")
    assert len(mailbox) == 6
    months = set(SubscriptionDelivery.objects.values_list("month", flat=True))
    assert months == {date(2026, 10, 1), date(2026, 11, 1)}


def test_an_ended_subscription_gets_nothing(personas, subscriptions, mailbox):
    for subscription in subscriptions:
        subscription.active = False
        subscription.save()
    assert deliver_monthly_reports("2026-11-01") == 0
    assert mailbox == []


def test_a_subscriber_who_lost_the_role_gets_nothing(personas, subscriptions, mailbox):
    RoleAssignment.objects.filter(user=personas.hr_falun).delete()
    deliver_monthly_reports("2026-11-01")
    assert personas.hr_falun.email not in [m.to[0] for m in mailbox]
    assert not ReportRequest.objects.filter(requested_by=personas.hr_falun).exists()


def test_the_e_mail_is_in_the_subscribers_language(personas, subscriptions, mailbox):
    personas.hr_falun.preferred_language = "en"
    personas.hr_falun.save()
    deliver_monthly_reports("2026-11-01")
    report = ReportRequest.objects.get(requested_by=personas.hr_falun)
    assert report.language == "en"
    assert ReportRequest.objects.get(requested_by=personas.head_borlange_social).language == "sv"
