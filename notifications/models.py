import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from .kinds import Kind


class MessageState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent (turned off or no longer relevant)")


class Message(models.Model):
    """One e-mail in the sent log (outbox): to whom, of what kind, about what, and its state.

    A message is written once per recipient, kind, subject and deadline (the unique
    constraint), so a reminder goes out at most once even when two runs meet. The text is
    made when the message is sent and is not kept.
    """

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    recipient_email = models.EmailField(_("recipient"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    # The manager the message is about, if any: thinned with the manager's other records.
    participant = models.ForeignKey(
        "enrolment.Participant",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("manager"),
    )
    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    # The deadline a reminder is about, or the first day of a digest's period.
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    # Days before the deadline for an advance reminder; 0 otherwise.
    lead_days = models.PositiveSmallIntegerField(default=0)
    language = models.CharField(max_length=8, default="sv")
    state = models.CharField(
        _("state"), max_length=16, choices=MessageState.choices, default=MessageState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                Lower("recipient_email"),
                "kind",
                "subject_type",
                "subject_id",
                "deadline",
                "lead_days",
                name="message_once_per_recipient_kind_subject_deadline",
                nulls_distinct=False,
            ),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient_email}"

    @classmethod
    def subject_key(cls, obj) -> dict:
        return {
            "subject_type": ContentType.objects.get_for_model(obj, for_concrete_model=False),
            "subject_id": obj.pk,
        }


class OptOut(models.Model):
    """A kind of message an address no longer receives (set on the preferences page or by
    the one-click link in an e-mail, which works without logging in)."""

    email = models.EmailField(_("e-mail address"))
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("turned-off message kind")
        verbose_name_plural = _("turned-off message kinds")
        constraints = [
            models.UniqueConstraint(Lower("email"), "kind", name="opt_out_once_per_kind"),
        ]

    def __str__(self):
        return f"{self.email}: {self.kind}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A manager's private calendar feed: whoever holds the URL reads it, so the manager
    can reset it, which stops the old URL."""

    participant = models.OneToOneField(
        "enrolment.Participant", on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [models.CheckConstraint(condition=~Q(token=""), name="feed_token_set")]

    def __str__(self):
        return str(self.participant)
