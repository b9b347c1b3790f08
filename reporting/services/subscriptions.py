"""Monthly reports by e-mail: subscriptions, and the monthly run that orders the reports
and sends each subscriber one e-mail with links to them.

The run is idempotent per month: a delivery row per subscription and month is created
once (unique), orders its report once, and is e-mailed once. Running it again for the
same month sends nothing new; after a failure half-way, it sends what is left.
"""

import logging
from collections import defaultdict
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import ReportScope, ReportSubscription, SubscriptionDelivery
from ..selectors import may_order
from .requests import report_request

logger = logging.getLogger(__name__)


def subscription_start(*, user, kind: str, scope: ReportScope) -> ReportSubscription:
    if kind not in ReportSubscription.KINDS or not may_order(user, kind, scope):
        raise ValidationError(_("You cannot subscribe to this report."), code="out_of_scope")
    with transaction.atomic():
        subscription, _created = ReportSubscription.objects.update_or_create(
            user=user,
            kind=kind,
            municipality=scope.municipality,
            administration=scope.administration,
            defaults={"active": True},
        )
    return subscription


def subscription_end(*, subscription: ReportSubscription) -> ReportSubscription:
    subscription.active = False
    subscription.save(update_fields=["active"])
    return subscription


def _language_of(user) -> str:
    return user.preferred_language or settings.LANGUAGE_CODE


def subscriptions_deliver(*, month: date) -> int:
    """Order this month's report for every active subscription, then e-mail them.
    Returns the number of e-mails sent."""
    month = month.replace(day=1)
    subscriptions = ReportSubscription.objects.filter(active=True).select_related(
        "user", "municipality", "administration__municipality"
    )
    for subscription in subscriptions:
        delivery, _created = SubscriptionDelivery.objects.get_or_create(
            subscription=subscription, month=month
        )
        if delivery.report_id is not None:
            continue
        scope = ReportScope(
            municipality=subscription.municipality, administration=subscription.administration
        )
        try:
            report = report_request(
                user=subscription.user,
                kind=subscription.kind,
                scope=scope,
                language=_language_of(subscription.user),
            )
        except ValidationError:
            # The subscriber no longer reaches this scope: no report, and no e-mail.
            logger.info("Subscription %s is out of its user's scope", subscription.pk)
            continue
        delivery.report = report
        delivery.save(update_fields=["report"])
    return subscriptions_email(month=month)


def subscriptions_email(*, month: date) -> int:
    pending = (
        SubscriptionDelivery.objects.filter(
            month=month,
            emailed_at__isnull=True,
            report__isnull=False,
            subscription__active=True,
        )
        .select_related(
            "subscription__user",
            "report__municipality",
            "report__administration__municipality",
        )
        .order_by("subscription__user_id", "subscription__kind", "id")
    )
    by_user = defaultdict(list)
    for delivery in pending:
        by_user[delivery.subscription.user].append(delivery)
    sent = 0
    for user, deliveries in by_user.items():
        with transaction.atomic():
            # A second run at the same time skips what this one holds, so nobody gets two.
            claimed = list(
                SubscriptionDelivery.objects.select_for_update(skip_locked=True).filter(
                    pk__in=[d.pk for d in deliveries], emailed_at__isnull=True
                )
            )
            if not claimed:
                continue
            ids = {d.pk for d in claimed}
            _send(user, month, [d for d in deliveries if d.pk in ids])
            SubscriptionDelivery.objects.filter(pk__in=ids).update(emailed_at=timezone.now())
        sent += 1
    return sent


def _send(user, month: date, deliveries) -> None:
    site = settings.SITE_URL.rstrip("/")
    with translation.override(_language_of(user)):
        reports = [
            {
                "title": d.report.get_kind_display(),
                "scope": d.report.scope_label,
                "url": site + reverse("reporting:report_download", args=[d.report.pk]),
            }
            for d in deliveries
        ]
        context = {"user": user, "month": month, "reports": reports, "site": site}
        subject = _("Your monthly reports for %(month)s") % {"month": month.strftime("%Y-%m")}
        body = render_to_string("reporting/email/monthly_reports.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
