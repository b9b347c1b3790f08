import os
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _


@deconstructible
class ReportStorage(FileSystemStorage):
    """Report files under MEDIA_ROOT/reports. They have no URL: the download view serves
    them after checking the scope of whoever asks.

    The location follows settings.MEDIA_ROOT when it is read, so that tests and deployments
    that set MEDIA_ROOT late still write where they read.
    """

    @property
    def base_location(self):
        return os.path.join(settings.MEDIA_ROOT, "reports")

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Report files have no public URL; use reporting:report_download.")


class ReportKind(models.TextChoices):
    PROGRESS = "progress", _("Progress report")
    COMPLIANCE = "compliance", _("Compliance report")
    REGIONAL = "regional", _("Regional follow-up")
    CERTIFICATE = "certificate", _("Certificate")


class ReportState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being made")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


ACTIVE_STATES = (ReportState.QUEUED, ReportState.RUNNING)


@dataclass(frozen=True)
class ReportScope:
    """What a report covers: a region (regional follow-up), a municipality or one of its
    administrations (progress, compliance), or one manager (certificate)."""

    region: object = None
    municipality: object = None
    administration: object = None
    participant: object = None

    @classmethod
    def of_administration(cls, administration) -> "ReportScope":
        return cls(municipality=administration.municipality, administration=administration)

    def fields(self) -> dict:
        return {
            "region": self.region,
            "municipality": self.municipality,
            "administration": self.administration,
            "participant": self.participant,
        }

    def fits(self, kind) -> bool:
        """Whether the scope has what the kind of report needs, and nothing else."""
        given = {name for name, value in self.fields().items() if value is not None}
        if kind == ReportKind.PROGRESS:
            if self.administration is not None and self.municipality is not None:
                return (
                    given == {"municipality", "administration"}
                    and self.administration.municipality_id == self.municipality.pk
                )
            return given == {"municipality"}
        needs = {
            ReportKind.COMPLIANCE: {"municipality"},
            ReportKind.REGIONAL: {"region"},
            ReportKind.CERTIFICATE: {"participant"},
        }
        return given == needs.get(kind)


class Failure(models.TextChoices):
    """Why a report failed, in words the person who asked for it can act on."""

    BROKER_UNAVAILABLE = (
        "broker_unavailable",
        _("The report service cannot be reached right now. Try again in a while."),
    )
    NOT_STARTED = "not_started", _("The report was not started in time. Try again in a while.")
    INTERRUPTED = (
        "interrupted",
        _("The report was interrupted before it was finished. Try again."),
    )
    TIMEOUT = "timeout", _("The report took too long to make. Try again later.")
    REFUSED = "refused", _("The report cannot be made.")
    ERROR = (
        "error",
        _("The report could not be made because of an error. Try again; if it fails again, "
          "contact the programme administrator."),
    )  # fmt: skip


class ReportRequest(models.Model):
    """One report someone asked for: its scope, where it stands, and its file.

    The row is written before the task is queued, so that a report is never lost between
    the request and the worker, and the person who asked always sees where it stands.
    """

    kind = models.CharField(_("report"), max_length=16, choices=ReportKind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="report_requests",
        verbose_name=_("requested by"),
    )
    region = models.ForeignKey(
        "programmes.Region", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    municipality = models.ForeignKey(
        "programmes.Municipality",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    administration = models.ForeignKey(
        "programmes.Administration",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    participant = models.ForeignKey(
        "enrolment.Participant",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    data_date = models.DateField(_("data date"))
    # The terms the report covers, both included ("HT2022"–"HT2025"); empty for the
    # report's own default (from the programme's first term to the data date's term).
    period_first = models.CharField(_("first term"), max_length=6, blank=True)
    period_last = models.CharField(_("last term"), max_length=6, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    state = models.CharField(
        _("state"), max_length=16, choices=ReportState.choices, default=ReportState.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), storage=ReportStorage(), blank=True, max_length=200)
    failure = models.CharField(_("failure"), max_length=32, choices=Failure.choices, blank=True)
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    # How many times a worker has taken the report; see services.requests.report_claim.
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When the task was last handed to the broker, and how often the sweep has handed it
    # again after its message or its worker was lost (see services.requests.reports_sweep).
    queued_at = models.DateTimeField(_("queued"), default=timezone.now)
    requeues = models.PositiveSmallIntegerField(_("re-queued"), default=0)
    # The worker building the report ("host:pid") and its last sign of life: a running
    # report whose heartbeat stops has lost its worker.
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(_("heartbeat"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("report request")
        verbose_name_plural = _("report requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            # The same report is made once at a time: a second identical request while one
            # is queued or running gets the first (see services.requests.report_request).
            # An empty scope level counts as 0 so that it compares equal (NULLs never do).
            models.UniqueConstraint(
                "kind",
                Coalesce("region", 0),
                Coalesce("municipality", 0),
                Coalesce("administration", 0),
                Coalesce("participant", 0),
                "data_date",
                "period_first",
                "period_last",
                "language",
                condition=Q(state__in=["queued", "running"]),
                name="report_request_one_active",
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="report_request_progress_percent"
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self):
        return f"{self.reference} {self.get_kind_display()}"

    @property
    def reference(self) -> str:
        """The report id printed in the PDF's footer."""
        return f"R-{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def is_done(self) -> bool:
        return self.state == ReportState.DONE and bool(self.file)

    @property
    def error_message(self) -> str:
        if self.state != ReportState.FAILED:
            return ""
        return self.error or (Failure(self.failure).label if self.failure else Failure.ERROR.label)

    @property
    def scope(self) -> ReportScope:
        return ReportScope(
            region=self.region,
            municipality=self.municipality,
            administration=self.administration,
            participant=self.participant,
        )

    @property
    def period(self) -> tuple[str, str] | None:
        """(first term, last term) chosen when ordering, or None for the default."""
        if not (self.period_first or self.period_last):
            return None
        return (self.period_first, self.period_last)

    @property
    def period_label(self) -> str:
        """The terms chosen when ordering, "HT2022–HT2025", or "" for the default."""
        if not (self.period_first or self.period_last):
            return ""
        return f"{self.period_first}–{self.period_last}"

    @property
    def scope_label(self) -> str:
        if self.kind == ReportKind.CERTIFICATE and self.participant_id:
            return self.participant.full_name
        if self.administration_id:
            return str(self.administration)
        if self.municipality_id:
            return self.municipality.name
        if self.region_id:
            return str(self.region)
        return ""


class Certificate(models.Model):
    """A certificate (intyg) that a manager completed the programme, verified by its code.

    Regenerating the PDF keeps the code; a revoked certificate stays on record, and the
    public page says it is revoked and why. A certificate revoked because a result or
    decision behind it changed (`revoked_by` empty) gives way to a new one, with a new
    code, when the manager earns one again.
    """

    participant = models.ForeignKey(
        "enrolment.Participant",
        on_delete=models.CASCADE,
        related_name="certificates",
        verbose_name=_("manager"),
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("programme"),
    )
    code = models.CharField(_("verification code"), max_length=32, unique=True)
    issued_on = models.DateField(_("issued"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""),
                name="certificate_revoked_with_reason",
            ),
            # A revoked certificate stays on record; a new one follows when the manager
            # is complete again, so only one is valid at a time.
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(revoked_at__isnull=True),
                name="certificate_one_valid_per_manager",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.participant}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ReportSubscription(models.Model):
    """A monthly report someone receives by e-mail, for a municipality or administration."""

    KINDS = (ReportKind.PROGRESS, ReportKind.COMPLIANCE)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_subscriptions"
    )
    kind = models.CharField(
        _("report"),
        max_length=16,
        choices=[(k.value, k.label) for k in KINDS],
    )
    municipality = models.ForeignKey(
        "programmes.Municipality", on_delete=models.CASCADE, related_name="+"
    )
    administration = models.ForeignKey(
        "programmes.Administration",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        ordering = ["user", "kind", "municipality__name"]
        constraints = [
            models.UniqueConstraint(
                "user",
                "kind",
                "municipality",
                Coalesce("administration", 0),
                name="report_subscription_unique",
            ),
            # The compliance report is for a whole municipality.
            models.CheckConstraint(
                condition=Q(kind="progress") | Q(administration__isnull=True),
                name="report_subscription_compliance_whole_municipality",
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.get_kind_display()} {self.scope_label}"

    @property
    def scope_label(self) -> str:
        return str(self.administration) if self.administration_id else self.municipality.name


class SubscriptionDelivery(models.Model):
    """One month's report for one subscription: made once, e-mailed once."""

    subscription = models.ForeignKey(
        ReportSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    month = models.DateField(_("month"))
    report = models.ForeignKey(
        ReportRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("subscription delivery")
        verbose_name_plural = _("subscription deliveries")
        ordering = ["-month", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "month"], name="subscription_delivery_once_a_month"
            ),
            models.CheckConstraint(
                condition=Q(month__day=1), name="subscription_delivery_month_first_day"
            ),
        ]

    def __str__(self):
        return f"{self.subscription} {self.month:%Y-%m}"
