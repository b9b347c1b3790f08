from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from .terms import Term, validate_term

validate_municipality_code = RegexValidator(
    r"^\d{4}$", _("A municipality code (kommunkod) is four digits, e.g. 2081.")
)
validate_county_code = RegexValidator(r"^\d{2}$", _("A county code is two digits, e.g. 20."))


class Region(models.Model):
    """A region that runs the programme together, e.g. Hälsa och välfärd i Dalarna."""

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=30)
    county = models.CharField(_("county"), max_length=100, blank=True)
    county_code = models.CharField(
        _("county code"), max_length=2, unique=True, validators=[validate_county_code]
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]

    def __str__(self):
        return self.short_name or self.name


class Municipality(models.Model):
    """A municipality (kommun), named by its official four-digit code (kommunkod)."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("region")
    )
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(
        _("municipality code"), max_length=4, unique=True, validators=[validate_municipality_code]
    )

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{4}$"), name="municipality_code_four_digits"
            ),
        ]

    def __str__(self):
        return self.name


class Administration(models.Model):
    """An administration (förvaltning) of a municipality, e.g. Socialförvaltningen."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="administrations",
        verbose_name=_("municipality"),
    )
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("administration")
        verbose_name_plural = _("administrations")
        ordering = ["municipality__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="administration_unique_name"
            ),
        ]

    def __str__(self):
        return f"{self.name}, {self.municipality.name}"


class Provider(models.Model):
    """A university (lärosäte) that gives the courses as commissioned education."""

    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        ordering = ["name"]

    def __str__(self):
        return self.name


class NationalBody(models.Model):
    """An owner above the regions, e.g. a national authority that commissions a national
    programme from several universities (as Skolverket does the principals' programme)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("national body")
        verbose_name_plural = _("national bodies")
        ordering = ["name"]

    def __str__(self):
        return self.short_name or self.name


class Programme(models.Model):
    """A leadership programme (30 hp in four slots), owned by a region or by a national
    body, and given by one or more providers (`ProgrammeProvider`).

    A region follows its own programme; a region without one follows the national
    programme (`programmes.selectors.region_programmes`).
    """

    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="programmes",
        null=True,
        blank=True,
        verbose_name=_("owning region"),
    )
    national_body = models.ForeignKey(
        NationalBody,
        on_delete=models.PROTECT,
        related_name="programmes",
        null=True,
        blank=True,
        verbose_name=_("owning national body"),
    )
    # The lead provider: the one an offering that names none is given by.
    provider = models.ForeignKey(
        Provider,
        on_delete=models.PROTECT,
        related_name="programmes",
        verbose_name=_("lead provider"),
    )
    title = models.CharField(_("title"), max_length=300)
    credits = models.DecimalField(
        _("credits (hp)"), max_digits=5, decimal_places=1, default=Decimal("30.0")
    )
    pace_percent = models.PositiveSmallIntegerField(
        _("pace (%)"), default=25, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    normal_duration_years = models.PositiveSmallIntegerField(
        _("normal duration (years)"), default=2
    )
    first_term = models.CharField(_("first term"), max_length=6, validators=[validate_term])

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=Q(credits__gt=0), name="programme_credits_positive"),
            models.CheckConstraint(
                condition=Q(region__isnull=False, national_body__isnull=True)
                | Q(region__isnull=True, national_body__isnull=False),
                name="programme_one_owner",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def owner(self):
        return self.region or self.national_body

    @property
    def is_national(self) -> bool:
        return self.national_body_id is not None


class ProgrammeProvider(models.Model):
    """A provider that gives a programme's courses, and where: the regions it serves and,
    within them, the municipalities that may take its offerings (none listed: all)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="programme_providers"
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="programme_providers"
    )
    regions = models.ManyToManyField(
        Region,
        blank=True,
        related_name="+",
        verbose_name=_("regions served"),
        help_text=_("None chosen: every region that follows the programme."),
    )
    municipalities = models.ManyToManyField(
        Municipality,
        blank=True,
        related_name="+",
        verbose_name=_("municipalities served"),
        help_text=_("None chosen: every municipality of the regions served."),
    )

    class Meta:
        verbose_name = _("programme provider")
        verbose_name_plural = _("programme providers")
        ordering = ["programme", "provider__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "provider"], name="programme_provider_unique"
            ),
        ]

    def __str__(self):
        return f"{self.provider} – {self.programme}"


class ProgrammeSlot(models.Model):
    """A place in the programme, filled by passing any one of its courses."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="slots")
    position = models.PositiveSmallIntegerField(
        _("position"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    credits = models.DecimalField(_("credits (hp)"), max_digits=4, decimal_places=1)

    class Meta:
        verbose_name = _("programme slot")
        verbose_name_plural = _("programme slots")
        ordering = ["programme", "position"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "position"], name="slot_unique_position"),
            models.CheckConstraint(condition=Q(position__gte=1), name="slot_position_positive"),
            models.CheckConstraint(condition=Q(credits__gt=0), name="slot_credits_positive"),
        ]

    def __str__(self):
        return _("Course %(position)s") % {"position": self.position}


class Course(models.Model):
    """A course that fills a slot; slot 1 has two alternatives."""

    slot = models.ForeignKey(
        ProgrammeSlot, on_delete=models.PROTECT, related_name="courses", verbose_name=_("slot")
    )
    title = models.CharField(_("title"), max_length=300)
    code = models.CharField(_("course code"), max_length=20, blank=True)
    credits = models.DecimalField(_("credits (hp)"), max_digits=4, decimal_places=1)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["slot__position", "title"]
        constraints = [
            models.UniqueConstraint(fields=["slot", "title"], name="course_unique_title"),
            models.CheckConstraint(condition=Q(credits__gt=0), name="course_credits_positive"),
        ]

    def __str__(self):
        return self.title


class CourseEquivalence(models.Model):
    """A line of a programme's equivalence table, kept by its administrators: a course of
    another programme, passed by a manager who moved here, fills this slot."""

    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="equivalences",
        verbose_name=_("receiving programme"),
    )
    course = models.ForeignKey(
        Course,
        on_delete=models.CASCADE,
        related_name="equivalences",
        verbose_name=_("course passed elsewhere"),
    )
    slot = models.ForeignKey(
        ProgrammeSlot,
        on_delete=models.CASCADE,
        related_name="equivalences",
        verbose_name=_("slot it fills"),
    )

    class Meta:
        verbose_name = _("course equivalence")
        verbose_name_plural = _("course equivalences")
        ordering = ["programme", "slot__position", "course__title"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "course"], name="course_equivalence_unique_course"
            ),
        ]

    def __str__(self):
        return f"{self.course} → {self.slot}"

    def clean(self):
        if not (self.programme_id and self.slot_id and self.course_id):
            return
        if self.slot.programme_id != self.programme_id:
            raise ValidationError({"slot": _("The slot must belong to the receiving programme.")})
        if self.course.slot.programme_id == self.programme_id:
            raise ValidationError({"course": _("The course must belong to another programme.")})


class OfferingState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open for nomination")
    CLOSED = "closed", _("Closed for nomination")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")


class OfferingMode(models.TextChoices):
    DISTANCE = "distance", _("Distance")
    CAMPUS = "campus", _("Campus")
    BLENDED = "blended", _("Blended")


DUPLICATE_OFFERING = _("The course already has an offering from this provider this term.")


class CourseOffering(models.Model):
    """A course offering (kurstillfälle): one course given in one term by one provider;
    several providers may each give the same course in a term."""

    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="offerings", verbose_name=_("course")
    )
    term = models.CharField(_("term"), max_length=6, validators=[validate_term])
    # Terms sort as numbers (VT2026 before HT2026); kept in step with `term` on save.
    term_index = models.PositiveIntegerField(editable=False, db_index=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    pace_percent = models.PositiveSmallIntegerField(
        _("pace (%)"), default=25, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    mode = models.CharField(
        _("mode"), max_length=16, choices=OfferingMode.choices, default=OfferingMode.BLENDED
    )
    seats = models.PositiveIntegerField(_("seats"), default=30)
    application_deadline = models.DateField(_("nomination deadline"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=OfferingState.choices, default=OfferingState.PLANNED
    )
    # The provider that gives this offering; none named: the programme's lead provider.
    provider = models.ForeignKey(
        Provider,
        on_delete=models.PROTECT,
        related_name="offerings",
        null=True,
        blank=True,
        verbose_name=_("provider"),
    )

    class Meta:
        verbose_name = _("course offering")
        verbose_name_plural = _("course offerings")
        ordering = ["term_index", "course__slot__position", "course__title"]
        constraints = [
            # Two providers may each give the course in a term, one provider once; an
            # offering that names no provider counts as one provider (its programme's
            # lead), so at most one of those a term. `clean` also treats naming the lead
            # and naming none as the same provider.
            models.UniqueConstraint(
                fields=["course", "term", "provider"],
                name="offering_unique_term_provider",
                nulls_distinct=False,
                violation_error_message=DUPLICATE_OFFERING,
            ),
            models.CheckConstraint(condition=Q(seats__gte=0), name="offering_seats_not_negative"),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="offering_dates_in_order"
            ),
            models.CheckConstraint(
                condition=Q(term__regex=r"^(HT|VT)[0-9]{4}$"), name="offering_term_format"
            ),
        ]

    def __str__(self):
        return f"{self.course.title} {self.term}"

    def save(self, *args, **kwargs):
        self.term_index = Term.parse(self.term).index
        super().save(*args, **kwargs)

    def clean(self):
        if not self.course_id:
            return
        programme = self.course.slot.programme
        if (
            self.provider_id
            and self.provider_id != programme.provider_id
            and not programme.programme_providers.filter(provider_id=self.provider_id).exists()
        ):
            raise ValidationError(
                {"provider": _("This provider does not give the programme's courses.")}
            )
        given_by = self.provider_id or programme.provider_id
        twins = (
            CourseOffering.objects.filter(course_id=self.course_id, term=self.term)
            .alias(given_by=Coalesce("provider_id", "course__slot__programme__provider_id"))
            .filter(given_by=given_by)
            .exclude(pk=self.pk)
        )
        if self.term and twins.exists():
            raise ValidationError({"term": DUPLICATE_OFFERING})

    @property
    def is_open(self) -> bool:
        return self.state == OfferingState.OPEN
