from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords


class OperationalArea(models.TextChoices):
    INDIVIDUAL_AND_FAMILY = "ifo", _("Individual and family care")
    ELDERLY_CARE = "elderly", _("Elderly care / home care")
    LSS = "lss", _("LSS (disability support)")
    SOCIAL_PSYCHIATRY = "psychiatry", _("Social psychiatry")
    HEALTH_CARE = "health", _("Municipal health care")
    OTHER = "other", _("Other")


class Position(models.TextChoices):
    UNIT_MANAGER = "unit_manager", _("Unit manager")
    DEPUTY_UNIT_MANAGER = "deputy_unit_manager", _("Deputy unit manager")
    OTHER = "other", _("Other equivalent position")


class Cohort(models.Model):
    """A cohort (omgång): managers who start the programme together."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="cohorts"
    )
    name = models.CharField(_("name"), max_length=100)
    start_term = models.CharField(_("start term"), max_length=6)

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["programme", "start_term", "name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="cohort_unique_name"),
        ]

    def __str__(self):
        return self.name


class Participant(models.Model):
    """A manager (chef) in the programme's target group, whether or not they have started.

    No personal identity number is kept: the portal does not need it.
    """

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("work e-mail"))
    employee_number = models.CharField(_("employee number"), max_length=30, blank=True)
    municipality = models.ForeignKey(
        "programmes.Municipality",
        on_delete=models.PROTECT,
        related_name="participants",
        verbose_name=_("municipality"),
    )
    administration = models.ForeignKey(
        "programmes.Administration",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participants",
        verbose_name=_("administration"),
    )
    operational_area = models.CharField(
        _("operational area"), max_length=16, choices=OperationalArea.choices, blank=True
    )
    position = models.CharField(_("position"), max_length=32, choices=Position.choices, blank=True)
    appointed_on = models.DateField(_("appointed as manager"), null=True, blank=True)
    # The current post: the municipality, administration and position above, held since
    # this day (empty: since the appointment). Earlier posts are PreviousPost rows.
    in_municipality_since = models.DateField(_("in this municipality since"), null=True, blank=True)
    left_on = models.DateField(_("left the manager role"), null=True, blank=True)
    cohort = models.ForeignKey(
        Cohort, on_delete=models.SET_NULL, null=True, blank=True, related_name="participants"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="participant",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Who changed what and when, shown on the manager's page to HR and programme staff.
    history = HistoricalRecords(excluded_fields=["updated_at", "created_at"])

    class Meta:
        verbose_name = _("manager")
        verbose_name_plural = _("managers")
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="participant_email_ci_unique"),
            models.UniqueConstraint(
                fields=["municipality", "employee_number"],
                condition=~Q(employee_number=""),
                name="participant_employee_number_unique",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True)
                | Q(appointed_on__isnull=True)
                | Q(left_on__gte=models.F("appointed_on")),
                name="participant_left_after_appointed",
            ),
        ]
        indexes = [models.Index(fields=["municipality", "last_name", "first_name"])]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class PreviousPost(models.Model):
    """A post a manager held before moving to another municipality: where they were, and
    from when until the move. Written only by `participant_move`; the manager's current
    post is the municipality, administration and position on the Participant."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="previous_posts"
    )
    municipality = models.ForeignKey(
        "programmes.Municipality",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("municipality"),
    )
    administration = models.ForeignKey(
        "programmes.Administration",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("administration"),
    )
    position = models.CharField(_("position"), max_length=32, choices=Position.choices, blank=True)
    valid_from = models.DateField(_("from"), null=True, blank=True)
    valid_to = models.DateField(_("moved on"))

    class Meta:
        verbose_name = _("previous post")
        verbose_name_plural = _("previous posts")
        ordering = ["participant", "valid_to"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="previous_post_ends_after_it_begins",
            ),
        ]

    def __str__(self):
        return f"{self.participant} – {self.municipality} ({self.valid_to:%Y-%m-%d})"


class EnrolmentState(models.TextChoices):
    NOMINATED = "nominated", _("Nominated")
    ADMITTED = "admitted", _("Admitted")
    WAITLISTED = "waitlisted", _("Waitlisted")
    REGISTERED = "registered", _("Registered")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    DEFERRED = "deferred", _("Deferred")


# States in which an enrolment holds (or waits for) a place in a slot.
ACTIVE_STATES = (
    EnrolmentState.NOMINATED,
    EnrolmentState.ADMITTED,
    EnrolmentState.WAITLISTED,
    EnrolmentState.REGISTERED,
)


class Grade(models.TextChoices):
    FAIL = "U", _("U (fail)")
    PASS = "G", _("G (pass)")
    PASS_WITH_DISTINCTION = "VG", _("VG (pass with distinction)")


class Enrolment(models.Model):
    """A participant on a course offering, from nomination to result.

    The slot is copied from the offering's course so that the database itself can hold
    a participant to one active enrolment per slot.
    """

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="enrolments"
    )
    offering = models.ForeignKey(
        "programmes.CourseOffering", on_delete=models.PROTECT, related_name="enrolments"
    )
    slot = models.ForeignKey(
        "programmes.ProgrammeSlot", on_delete=models.PROTECT, related_name="enrolments"
    )
    state = models.CharField(
        _("state"), max_length=16, choices=EnrolmentState.choices, default=EnrolmentState.NOMINATED
    )
    waitlist_position = models.PositiveIntegerField(_("waitlist position"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=2, choices=Grade.choices, blank=True)
    credits = models.DecimalField(
        _("credits awarded (hp)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    result_date = models.DateField(_("result date"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["offering__term_index", "slot__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "slot"],
                condition=Q(state__in=["nominated", "admitted", "waitlisted", "registered"]),
                name="enrolment_one_active_per_slot",
            ),
            models.CheckConstraint(
                condition=Q(credits__isnull=True) | Q(credits__gte=0),
                name="enrolment_credits_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(state="passed") | Q(grade__in=["G", "VG"]),
                name="enrolment_passed_has_pass_grade",
            ),
        ]
        indexes = [
            models.Index(fields=["offering", "state"]),
            # Progress and the managers list look up a participant's enrolments per slot.
            models.Index(fields=["participant", "slot", "state"]),
        ]

    def __str__(self):
        return f"{self.participant} – {self.offering}"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def state_label(self):
        """`get_state_display` by the enum: a page listing many enrolments reads it often."""
        return EnrolmentState(self.state).label


class EnrolmentEvent(models.Model):
    """One change of an enrolment's state: who, when, from what to what."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=16, choices=EnrolmentState.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=EnrolmentState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("when"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("enrolment event")
        verbose_name_plural = _("enrolment events")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.from_state or '–'} → {self.to_state}"

    @property
    def from_state_label(self):
        """`get_from_state_display` by the enum ("" for the first event)."""
        return EnrolmentState(self.from_state).label if self.from_state else ""

    @property
    def to_state_label(self):
        return EnrolmentState(self.to_state).label


class CreditTransferKind(models.TextChoices):
    CREDIT_TRANSFER = "credit_transfer", _("Credit transfer (tillgodoräknande)")
    EXEMPTION = "exemption", _("Exemption")


class CreditTransfer(models.Model):
    """A decision that a slot, or the whole programme, counts as done without the course."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="credit_transfers"
    )
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="credit_transfers"
    )
    slot = models.ForeignKey(
        "programmes.ProgrammeSlot",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_transfers",
        help_text=_("Leave empty for the whole programme."),
    )
    kind = models.CharField(
        _("kind"),
        max_length=16,
        choices=CreditTransferKind.choices,
        default=CreditTransferKind.CREDIT_TRANSFER,
    )
    reason = models.TextField(_("reason"))
    decided_on = models.DateField(_("decision date"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("credit transfer")
        verbose_name_plural = _("credit transfers")
        ordering = ["decided_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "slot"],
                condition=Q(slot__isnull=False),
                name="credit_transfer_unique_slot",
            ),
            models.UniqueConstraint(
                fields=["participant", "programme"],
                condition=Q(slot__isnull=True),
                name="credit_transfer_unique_programme",
            ),
        ]

    def __str__(self):
        return f"{self.participant} – {self.slot or self.programme}"

    @property
    def covers_programme(self) -> bool:
        return self.slot_id is None


class Mandate(models.Model):
    """A municipality's decision that its managers must take the programme.

    A new version takes effect from its date; earlier versions stay on record.
    """

    municipality = models.ForeignKey(
        "programmes.Municipality", on_delete=models.PROTECT, related_name="mandates"
    )
    decided_on = models.DateField(_("decision date"))
    decision_body = models.CharField(_("decided by"), max_length=200)
    reference = models.CharField(_("decision reference (diarienummer)"), max_length=100, blank=True)
    effective_from = models.DateField(_("takes effect"))
    positions = models.JSONField(
        _("positions in scope"), default=list, blank=True, help_text=_("Empty means all.")
    )
    operational_areas = models.JSONField(
        _("operational areas in scope"), default=list, blank=True, help_text=_("Empty means all.")
    )
    administrations = models.ManyToManyField(
        "programmes.Administration",
        blank=True,
        related_name="mandates",
        verbose_name=_("administrations in scope"),
        help_text=_("Empty means the whole municipality."),
    )
    start_within_months = models.PositiveSmallIntegerField(
        _("start within (months)"), null=True, blank=True
    )
    complete_within_months = models.PositiveSmallIntegerField(
        _("complete within (months)"), null=True, blank=True
    )
    fixed_completion_date = models.DateField(
        _("completion date for managers already in post"), null=True, blank=True
    )
    clock_restarts_on_arrival = models.BooleanField(
        _("deadlines restart when a manager moves here"),
        default=False,
        help_text=_(
            "Without it, a manager who moves here keeps the deadlines that run from their "
            "appointment."
        ),
    )
    extension_limit_months = models.PositiveSmallIntegerField(
        _("extensions beyond (months) need the programme administrator"),
        null=True,
        blank=True,
        help_text=_("Empty: HR may grant any extension."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        ordering = ["municipality", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "effective_from"], name="mandate_unique_version"
            ),
        ]

    def __str__(self):
        return f"{self.municipality} {self.effective_from:%Y-%m-%d}"


class ComplianceSnapshot(models.Model):
    """Compliance counts of one municipality in one month, kept for the trend."""

    municipality = models.ForeignKey(
        "programmes.Municipality", on_delete=models.CASCADE, related_name="compliance_snapshots"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    counts = models.JSONField(_("counts per status"), default=dict)
    total = models.PositiveIntegerField(_("managers in scope"), default=0)
    taken_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("compliance snapshot")
        verbose_name_plural = _("compliance snapshots")
        ordering = ["municipality", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "month"], name="compliance_snapshot_one_per_month"
            ),
            models.CheckConstraint(
                condition=Q(month__day=1), name="compliance_snapshot_first_of_month"
            ),
        ]

    def __str__(self):
        return f"{self.municipality} {self.month:%Y-%m}"


class NominationRequestState(models.TextChoices):
    OPEN = "open", _("Waiting for HR")
    NOMINATED = "nominated", _("Nominated")
    DECLINED = "declined", _("Declined")


class NominationRequest(models.Model):
    """A manager's own request to be nominated, which their HR administrator answers."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="nomination_requests"
    )
    offering = models.ForeignKey(
        "programmes.CourseOffering",
        on_delete=models.CASCADE,
        related_name="nomination_requests",
        verbose_name=_("course offering"),
    )
    message = models.TextField(_("message to HR"), blank=True, max_length=1000)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=NominationRequestState.choices,
        default=NominationRequestState.OPEN,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("nomination request")
        verbose_name_plural = _("nomination requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "offering"],
                condition=Q(state="open"),
                name="nomination_request_one_open",
            ),
        ]

    def __str__(self):
        return f"{self.participant} → {self.offering}"


class DeadlineDecisionKind(models.TextChoices):
    EXTENSION = "extension", _("Extension")
    PAUSE = "pause", _("Pause")


class DeadlineDecisionReason(models.TextChoices):
    PARENTAL_LEAVE = "parental_leave", _("Parental leave")
    SICK_LEAVE = "sick_leave", _("Sick leave")
    OTHER_POST = "other_post", _("Other post for a time")
    OTHER = "other", pgettext_lazy("deadline decision reason", "Other")


class DeadlineDecision(models.Model):
    """A decision on one manager's deadlines (anstånd): an extension sets new deadlines,
    a pause stops the clock from one day to another. The rule is
    `enrolment.mandates.deadlines_for`."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="deadline_decisions"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DeadlineDecisionKind.choices)
    reason = models.CharField(_("reason"), max_length=32, choices=DeadlineDecisionReason.choices)
    note = models.TextField(_("note"), blank=True)
    new_start_by = models.DateField(_("new start deadline"), null=True, blank=True)
    new_complete_by = models.DateField(_("new completion deadline"), null=True, blank=True)
    paused_from = models.DateField(_("paused from"), null=True, blank=True)
    paused_to = models.DateField(_("paused until"), null=True, blank=True)
    decided_on = models.DateField(_("decision date"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        verbose_name = _("deadline decision")
        verbose_name_plural = _("deadline decisions")
        ordering = ["decided_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="pause",
                        paused_from__isnull=False,
                        paused_to__isnull=False,
                        paused_to__gte=models.F("paused_from"),
                        new_start_by__isnull=True,
                        new_complete_by__isnull=True,
                    )
                    | (
                        Q(kind="extension", paused_from__isnull=True, paused_to__isnull=True)
                        & (Q(new_start_by__isnull=False) | Q(new_complete_by__isnull=False))
                    )
                ),
                name="deadline_decision_shape",
            ),
        ]

    def __str__(self):
        return f"{self.participant} – {self.get_kind_display()} {self.decided_on:%Y-%m-%d}"

    @property
    def is_pause(self) -> bool:
        return self.kind == DeadlineDecisionKind.PAUSE


class StoredStanding(models.Model):
    """Where each manager stands today, as `enrolment.setbased.standing_sql` computes it,
    stored so that the daily pages read a row instead of computing it
    (`enrolment.projection`). Never written by hand: database triggers note each change
    to what it is computed from, and the next reader brings the changed rows up to date
    in its own transaction, and every row when the day has changed."""

    # No constraint in the database: a refresh computing a manager deleted meanwhile must
    # not fail the reader's request; the row it leaves is removed by the next refresh
    # (the deletion noted the manager) and is never read (no manager joins it). Nor does
    # the deletion remove it: only a refresh writes these rows, so that it counts the
    # council's grids again for the municipality the manager leaves (`TakingPartCell`).
    participant = models.OneToOneField(
        Participant,
        on_delete=models.DO_NOTHING,
        primary_key=True,
        related_name="+",
        db_constraint=False,
    )
    current_municipality_id = models.BigIntegerField()
    slot_count = models.IntegerField()
    slots_filled = models.IntegerField()
    hp = models.DecimalField(max_digits=5, decimal_places=1)
    programme_exempt = models.BooleanField()
    programme_complete = models.BooleanField()
    programme_status = models.CharField(max_length=20)
    begun = models.BooleanField()
    holds_seat = models.BooleanField()
    completed_on = models.DateField(null=True)
    municipality_id = models.BigIntegerField(null=True)
    compliance_status = models.CharField(max_length=20, null=True)
    compliance_deadline = models.DateField(null=True)
    start_by = models.DateField(null=True)
    complete_by = models.DateField(null=True)
    estimated_finish = models.DateField(null=True)
    # What the council's figures count of the manager's courses
    # (`enrolment.setbased.TAKING_PART_FIELDS`): their counts read a row per manager.
    placed_municipality_id = models.BigIntegerField(null=True)
    first_course_start = models.DateField(null=True)
    course_terms = ArrayField(models.IntegerField(), null=True)
    term_courses = ArrayField(models.IntegerField(), null=True)
    term_passes = ArrayField(models.IntegerField(), null=True)
    term_fails = ArrayField(models.IntegerField(), null=True)
    term_hp = ArrayField(models.DecimalField(max_digits=6, decimal_places=1), null=True)
    taking_part_key = models.TextField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["hp"], name="stored_standing_hp"),
            models.Index(fields=["placed_municipality_id"], name="stored_standing_placed"),
        ]

    def __str__(self):
        return f"{self.participant_id}: {self.programme_status}"


class TakingPartCell(models.Model):
    """The council's grids counted from the stored rows (`StoredStanding`), a row per
    municipality where the managers are placed today and term, and one over all terms
    (`enrolment.setbased.taking_part_cells_sql`, whose columns these are). Never written
    by hand: `enrolment.projection.refresh` counts again, in the transaction that changes
    the stored rows, the municipalities where the managers it brings up to date were
    placed (every one when it recomputes every row), so the key figures read a few hundred
    rows instead of counting every manager of the region."""

    place = models.BigIntegerField()
    term = models.IntegerField(null=True)
    whole = models.BooleanField()
    took = models.BigIntegerField(null=True)
    passes = models.BigIntegerField(null=True)
    hp = models.DecimalField(max_digits=12, decimal_places=1, null=True)
    people = models.BigIntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["place"], name="taking_part_cell_place")]

    def __str__(self):
        return f"{self.place} {self.term}"


class TrainedCohort(models.Model):
    """The council's cohorts of managers who took a course, counted from the stored rows
    (`StoredStanding`) per municipality where they are placed today
    (`enrolment.cohorts`, whose rows these are): kept by `enrolment.projection.refresh`
    as `TakingPartCell` is."""

    place = models.BigIntegerField()
    kind = models.CharField(max_length=20)
    months = models.IntegerField()
    part = models.BigIntegerField()
    whole = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["place"], name="trained_cohort_place")]

    def __str__(self):
        return f"{self.place} {self.kind} {self.months}"


class OfferingResults(models.Model):
    """Each offering's passes and fails with a known result today (`enrolment.results`),
    kept by `enrolment.projection.refresh`: counted again in its transaction for the
    offerings whose enrolments changed (`StaleOffering`), and for every offering when it
    recomputes every row. Never written by hand."""

    offering_id = models.BigIntegerField(db_index=True)
    passed = models.BigIntegerField()
    failed = models.BigIntegerField()

    def __str__(self):
        return f"{self.offering_id}: {self.passed}/{self.failed}"


class StaleOffering(models.Model):
    """An offering whose OfferingResults row is out of date, noted by the triggers."""

    offering_id = models.BigIntegerField(primary_key=True)

    def __str__(self):
        return str(self.offering_id)


class StoredStandingDay(models.Model):
    """The day every row of StoredStanding was computed for; none (or another day) means
    all rows are out of date. One row."""

    day = models.DateField(null=True)

    def __str__(self):
        return str(self.day)


class StaleStanding(models.Model):
    """A manager whose StoredStanding row is out of date, noted by the triggers."""

    participant_id = models.BigIntegerField(primary_key=True)

    def __str__(self):
        return str(self.participant_id)
