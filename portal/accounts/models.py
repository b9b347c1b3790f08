from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in. Logs in by e-mail; what they see follows from their roles."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, blank=True
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self):
        return self.get_full_name() or self.email


class Role(models.TextChoices):
    PROGRAMME_ADMIN = "programme_admin", _("Programme administrator")
    HR_ADMIN = "hr_admin", _("HR administrator")
    HEAD_OF_ADMINISTRATION = "head_of_administration", _("Head of administration")
    MANAGER = "manager", _("Manager")
    COUNCIL = "council", _("Council member")
    NATIONAL_ADMIN = "national_admin", _("National administrator")


class RoleAssignment(models.Model):
    """One role a user holds, with the part of the region it reaches.

    Programme administrators and council members are scoped to a region; HR
    administrators and heads of administration to a municipality or one of its
    administrations; a national administrator to a national body (every region's
    aggregates, never an individual); a manager reaches only their own participant record.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
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
    national_body = models.ForeignKey(
        "programmes.NationalBody",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            # Each role carries exactly the kind of scope it is defined with.
            models.CheckConstraint(
                name="role_assignment_scope_matches_role",
                condition=(
                    Q(
                        role__in=["programme_admin", "council"],
                        region__isnull=False,
                        municipality__isnull=True,
                        administration__isnull=True,
                        national_body__isnull=True,
                    )
                    | Q(
                        role__in=["hr_admin", "head_of_administration"],
                        region__isnull=True,
                        municipality__isnull=False,
                        administration__isnull=True,
                        national_body__isnull=True,
                    )
                    | Q(
                        role__in=["hr_admin", "head_of_administration"],
                        region__isnull=True,
                        municipality__isnull=True,
                        administration__isnull=False,
                        national_body__isnull=True,
                    )
                    | Q(
                        role="manager",
                        region__isnull=True,
                        municipality__isnull=True,
                        administration__isnull=True,
                        national_body__isnull=True,
                    )
                    | Q(
                        role="national_admin",
                        region__isnull=True,
                        municipality__isnull=True,
                        administration__isnull=True,
                        national_body__isnull=False,
                    )
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "region"],
                condition=Q(region__isnull=False),
                name="role_assignment_unique_region",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "municipality"],
                condition=Q(municipality__isnull=False),
                name="role_assignment_unique_municipality",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "administration"],
                condition=Q(administration__isnull=False),
                name="role_assignment_unique_administration",
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(role="manager"), name="role_assignment_unique_manager"
            ),
            models.UniqueConstraint(
                fields=["user", "role", "national_body"],
                condition=Q(national_body__isnull=False),
                name="role_assignment_unique_national_body",
            ),
        ]

    def __str__(self):
        scope = self.administration or self.municipality or self.region or self.national_body or ""
        return f"{self.get_role_display()} {scope}".strip()


class IdentityProvider(models.Model):
    """A municipality's or region's own sign-in (Entra ID, a SAML federation), set up in the
    admin as a social application and tied here to whom it speaks for.

    A provider vouches only for the e-mail domains listed: an identity from it with an
    address elsewhere is refused, so one organisation's provider can never sign in
    another's staff.
    """

    app = models.OneToOneField(
        "socialaccount.SocialApp",
        on_delete=models.CASCADE,
        related_name="identity_provider",
        verbose_name=_("social application"),
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
    email_domains = models.CharField(
        _("e-mail domains"),
        max_length=500,
        help_text=_("The domains this provider vouches for, separated by commas: falun.se"),
    )
    local_passwords_off = models.BooleanField(
        _("local passwords off"),
        default=False,
        help_text=_("Users with these e-mail domains sign in only through this provider."),
    )

    class Meta:
        verbose_name = _("identity provider")
        verbose_name_plural = _("identity providers")
        constraints = [
            models.CheckConstraint(
                name="identity_provider_region_or_municipality",
                condition=Q(region__isnull=False, municipality__isnull=True)
                | Q(region__isnull=True, municipality__isnull=False),
            ),
        ]

    def __str__(self):
        return self.app.name

    @property
    def domains(self) -> set[str]:
        return {d.strip().lower().lstrip("@") for d in self.email_domains.split(",") if d.strip()}

    def vouches_for(self, email: str) -> bool:
        return email.rpartition("@")[2].lower() in self.domains
