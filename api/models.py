import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Tokens are long random strings, so one round of SHA-256 keeps them as safe as a slow
# password hash would, and lets every request find its token by an index.
TOKEN_PREFIX = "lp_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiToken(models.Model):
    """A key one outside system (an HR system, a statistics tool) uses to call the API.

    It acts as one person in one of their roles: the role assignment it is tied to. The
    key itself is shown once, when it is made, and only its hash is kept.
    """

    name = models.CharField(_("system"), max_length=100)
    assignment = models.ForeignKey(
        "accounts.RoleAssignment",
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("acts as"),
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_start = models.CharField(_("key begins"), max_length=12, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.key_start}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def user(self):
        return self.assignment.user

    def mark_used(self) -> None:
        now = timezone.now()
        ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
        self.last_used_at = now
