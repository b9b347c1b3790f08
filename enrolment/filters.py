"""Filters for the managers list and its export, and the programme status they filter on.

The status, slots filled and hp are computed in the database (`with_programme_status`) so
that filtering, sorting and pagination stay correct and cost the same whatever the
number of managers. They follow the same rules as `enrolment.progress._progress`: the
region's first programme; a slot is filled by a pass (hp of the first pass, capped at the
slot's hp) or a slot credit transfer; a whole-programme transfer fills every slot.
"""

from dataclasses import dataclass
from decimal import Decimal

import django_filters
from django.db import models
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, Least
from django.utils.translation import gettext_lazy as _

from programmes.models import Administration, Municipality, Programme, ProgrammeSlot
from programmes.selectors import administrations_visible_to, municipalities_visible_to

from .forms_participants import ParticipantFilterForm
from .models import (
    ACTIVE_STATES,
    CreditTransfer,
    Enrolment,
    EnrolmentState,
    OperationalArea,
    Participant,
    Position,
)


class ProgrammeStatus(models.TextChoices):
    """Where a manager stands in the programme. A completed programme stays completed
    after the manager leaves; otherwise leaving the manager role comes first, because
    a manager who has left can no longer be nominated."""

    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    LEFT = "left", _("Left the manager role")


HP_FIELD = DecimalField(max_digits=5, decimal_places=1)


@dataclass(frozen=True)
class _ProgrammeShape:
    programme_id: int
    slot_count: int
    credits: Decimal


def _programmes_by_region() -> dict[int, _ProgrammeShape]:
    """Each region's first programme (as in progress_for), with its number of slots and
    their hp. Read once and written into the query as constants, so that no row repeats
    a subquery for what is the same for every manager of a region."""
    shapes = {}
    for programme in (
        Programme.objects.order_by("region_id", "id")
        .annotate(slot_count=Count("slots"), slot_credits=Sum("slots__credits"))
        .values("region_id", "id", "slot_count", "slot_credits")
    ):
        shapes.setdefault(
            programme["region_id"],
            _ProgrammeShape(
                programme["id"], programme["slot_count"], programme["slot_credits"] or Decimal(0)
            ),
        )
    return shapes


def _per_region(shapes, attribute, default, output_field):
    return Case(
        *(
            When(municipality__region_id=region_id, then=Value(getattr(shape, attribute)))
            for region_id, shape in shapes.items()
        ),
        default=Value(default),
        output_field=output_field,
    )


def with_programme_status(queryset):
    """Managers annotated with `slots_filled`, `hp` and `programme_status` (a
    ProgrammeStatus value), all computed in SQL. Runs one small query at once, for the
    programmes of the regions."""
    shapes = _programmes_by_region()
    # Inside the subquery over the programme's slots, OuterRef("pk") is the slot and
    # OuterRef(OuterRef("pk")) the participant of the row being annotated.
    passed = Enrolment.objects.filter(
        participant_id=OuterRef(OuterRef("pk")),
        slot_id=OuterRef("pk"),
        state=EnrolmentState.PASSED,
    )
    first_pass_credits = passed.order_by("offering__term_index", "id").values("credits")[:1]
    transferred = CreditTransfer.objects.filter(
        participant_id=OuterRef(OuterRef("pk")), slot_id=OuterRef("pk")
    )
    slot_hp = Case(
        When(
            Exists(passed),
            then=Least(Coalesce(Subquery(first_pass_credits), F("credits")), F("credits")),
        ),
        When(Exists(transferred), then=F("credits")),
        default=Value(Decimal("0")),
        output_field=HP_FIELD,
    )
    # Both sums run over the slots of the programme: a pass or a transfer fills a slot once.
    per_slot = (
        ProgrammeSlot.objects.filter(programme_id=OuterRef("programme_id"))
        .order_by()
        .values("programme_id")
    )
    filled_count = Subquery(
        per_slot.annotate(n=Count("pk", filter=Q(Exists(passed)) | Q(Exists(transferred)))).values(
            "n"
        )[:1]
    )
    earned_hp = Subquery(per_slot.annotate(hp=Sum(slot_hp)).values("hp")[:1])
    whole_programme = CreditTransfer.objects.filter(
        participant_id=OuterRef("pk"), slot__isnull=True, programme_id=OuterRef("programme_id")
    )
    under_way = Enrolment.objects.filter(
        participant_id=OuterRef("pk"),
        slot__programme_id=OuterRef("programme_id"),
        state__in=[EnrolmentState.PASSED, *ACTIVE_STATES],
    )
    slot_transfer = CreditTransfer.objects.filter(
        participant_id=OuterRef("pk"), slot__programme_id=OuterRef("programme_id")
    )
    slot_count = _per_region(shapes, "slot_count", 0, IntegerField())
    return (
        queryset.alias(programme_id=_per_region(shapes, "programme_id", None, IntegerField()))
        .alias(
            exempt=Exists(whole_programme),
            filled_count=Coalesce(filled_count, 0, output_field=IntegerField()),
        )
        .annotate(
            slots_filled=Case(
                When(exempt=True, then=slot_count),
                default=F("filled_count"),
                output_field=IntegerField(),
            ),
            hp=Case(
                When(exempt=True, then=_per_region(shapes, "credits", Decimal(0), HP_FIELD)),
                default=Coalesce(earned_hp, Decimal("0"), output_field=HP_FIELD),
                output_field=HP_FIELD,
            ),
            programme_status=Case(
                When(
                    Q(exempt=True) | Q(Q(filled_count__gte=slot_count) & Q(filled_count__gt=0)),
                    then=Value(ProgrammeStatus.COMPLETED),
                ),
                When(left_on__isnull=False, then=Value(ProgrammeStatus.LEFT)),
                When(
                    Q(Exists(under_way)) | Q(Exists(slot_transfer)),
                    then=Value(ProgrammeStatus.IN_PROGRESS),
                ),
                default=Value(ProgrammeStatus.NOT_STARTED),
                output_field=models.CharField(),
            ),
        )
    )


class ParticipantOrderingFilter(django_filters.OrderingFilter):
    """Sorting by whole names, with empty values last and a stable order for paging."""

    EXPANSIONS = {"name": ("last_name", "first_name")}
    TIEBREAK = ("last_name", "first_name", "pk")

    def filter(self, qs, value):
        if value in django_filters.constants.EMPTY_VALUES:
            return qs
        ordering = []
        for param in value:
            if param in django_filters.constants.EMPTY_VALUES:
                continue
            descending = param.startswith("-")
            name = param.lstrip("-")
            fields = self.EXPANSIONS.get(name, (self.param_map.get(name, name),))
            for field in fields:
                expression = F(field)
                ordering.append(
                    expression.desc(nulls_last=True)
                    if descending
                    else expression.asc(nulls_last=True)
                )
        return qs.order_by(*ordering, *self.TIEBREAK)


class ParticipantFilter(django_filters.FilterSet):
    """The managers list: search, filters and sorting, limited to what the user reaches.

    Give it a queryset from `participants_visible_to` passed through
    `with_programme_status`; the choices offered come from the same reach.
    """

    q = django_filters.CharFilter(label=_("Search"), method="search")
    # The querysets are set per user in __init__.
    municipality = django_filters.ModelChoiceFilter(
        label=_("Municipality"), queryset=Municipality.objects.none()
    )
    administration = django_filters.ModelChoiceFilter(
        label=_("Administration"), queryset=Administration.objects.none()
    )
    operational_area = django_filters.ChoiceFilter(
        label=_("Operational area"), choices=OperationalArea.choices
    )
    position = django_filters.ChoiceFilter(label=_("Position"), choices=Position.choices)
    status = django_filters.ChoiceFilter(
        label=_("Programme status"), choices=ProgrammeStatus.choices, field_name="programme_status"
    )
    ordering = ParticipantOrderingFilter(
        label=_("Sort by"),
        fields=(
            ("last_name", "name"),
            ("municipality__name", "municipality"),
            ("appointed_on", "appointed"),
            ("hp", "hp"),
        ),
        field_labels={
            "last_name": _("Name"),
            "municipality__name": _("Municipality"),
            "appointed_on": _("Appointed as manager"),
            "hp": _("hp"),
        },
    )

    class Meta:
        model = Participant
        fields = []
        form = ParticipantFilterForm

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        super().__init__(data, queryset, **kwargs)
        municipalities = municipalities_visible_to(user).order_by("name")
        if municipalities.count() > 1:
            self.filters["municipality"].queryset = municipalities
        else:
            del self.filters["municipality"]
        self.filters["administration"].queryset = administrations_visible_to(user).select_related(
            "municipality"
        )

    def search(self, queryset, name, value):
        words = value.split()
        if not words:
            return queryset
        # "First Last" holds each name on its own as well as the two together.
        phrase = " ".join(words)
        return queryset.alias(searchable_name=Concat("first_name", Value(" "), "last_name")).filter(
            Q(searchable_name__icontains=phrase) | Q(email__icontains=phrase)
        )
