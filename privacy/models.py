"""Personal data: who opened whose record, how long records are kept, the public texts."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessKind(models.TextChoices):
    PAGE = "page", _("Manager's page")
    EXPORT = "export", _("Export with names")
    REPORT = "report", _("Report with names")
    EXTRACT = "extract", _("Register extract")


class AccessLogEntry(models.Model):
    """That a user opened a manager's person-level record (GDPR art. 30)."""

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    participant = models.ForeignKey(
        "enrolment.Participant", on_delete=models.CASCADE, related_name="+"
    )
    region = models.ForeignKey("programmes.Region", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("what"), max_length=8, choices=AccessKind.choices)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} → {self.participant_id}"


class RecordKind(models.TextChoices):
    MANAGERS = "managers", _("Managers who have left, with their history")
    ACCESS_LOG = "access_log", _("Access log entries")
    REPORT_FILES = "report_files", _("Report files")


class RetentionRule(models.Model):
    """How long a region keeps a kind of record (gallringsregel): managers for so many
    months after they left, log entries and report files after they were made."""

    region = models.ForeignKey(
        "programmes.Region", on_delete=models.CASCADE, related_name="+", verbose_name=_("region")
    )
    kind = models.CharField(_("records"), max_length=16, choices=RecordKind.choices)
    months = models.PositiveSmallIntegerField(_("kept for (months)"))

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        constraints = [
            models.UniqueConstraint(fields=["region", "kind"], name="retention_rule_once"),
        ]

    def __str__(self):
        return f"{self.region}: {self.get_kind_display()} {self.months}"


class ThinningRun(models.Model):
    """What one thinning removed: counts only, never names."""

    at = models.DateTimeField(_("when"), auto_now_add=True)
    region = models.ForeignKey("programmes.Region", on_delete=models.CASCADE, related_name="+")
    counts = models.JSONField(_("removed"), default=dict)

    class Meta:
        verbose_name = _("thinning run")
        verbose_name_plural = _("thinning log")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d} {self.region}"


class PageKind(models.TextChoices):
    PRIVACY = "privacy", _("Privacy notice")
    ACCESSIBILITY = "accessibility", _("Accessibility statement")


class PublicText(models.Model):
    """A region's own text for a page every public-sector site must have."""

    region = models.ForeignKey(
        "programmes.Region", on_delete=models.CASCADE, related_name="+", verbose_name=_("region")
    )
    kind = models.CharField(_("page"), max_length=16, choices=PageKind.choices)
    body_sv = models.TextField(_("text in Swedish"))
    body_en = models.TextField(_("text in English"))

    class Meta:
        verbose_name = _("public text")
        verbose_name_plural = _("public texts")
        constraints = [
            models.UniqueConstraint(fields=["region", "kind"], name="public_text_once"),
        ]

    def __str__(self):
        return f"{self.region}: {self.get_kind_display()}"
