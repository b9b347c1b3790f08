"""A participant's progress through the programme, derived from results, never stored.

`progress_for()` is the one function every page and report uses. It computes a whole
list of participants in a fixed number of queries, whatever the length of the list.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

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
from django.db.models.functions import Coalesce, Least
from django.utils.translation import gettext_lazy as _

from programmes.models import Programme, ProgrammeSlot

from .models import ACTIVE_STATES, CreditTransfer, Enrolment, EnrolmentState


class SlotStatus:
    PASSED = "passed"
    CREDITED = "credited"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"

    LABELS = {
        PASSED: _("Passed"),
        CREDITED: _("Credit transferred"),
        IN_PROGRESS: _("In progress"),
        NOT_STARTED: _("Not started"),
    }


@dataclass
class SlotProgress:
    slot: ProgrammeSlot
    status: str = SlotStatus.NOT_STARTED
    course_title: str = ""
    credits: Decimal = Decimal("0")
    completed_on: date | None = None
    current: Enrolment | None = None

    @property
    def is_filled(self) -> bool:
        return self.status in (SlotStatus.PASSED, SlotStatus.CREDITED)

    @property
    def label(self):
        return SlotStatus.LABELS[self.status]


@dataclass
class Progress:
    programme: Programme | None
    slots: list[SlotProgress] = field(default_factory=list)
    exempt_from_programme: bool = False

    @property
    def credits(self) -> Decimal:
        return sum((s.credits for s in self.slots), Decimal("0"))

    @property
    def total_credits(self) -> Decimal:
        return self.programme.credits if self.programme else Decimal("0")

    @property
    def slots_filled(self) -> int:
        return sum(1 for s in self.slots if s.is_filled)

    @property
    def is_complete(self) -> bool:
        return bool(self.slots) and all(s.is_filled for s in self.slots)

    @property
    def percent(self) -> int:
        if not self.total_credits:
            return 0
        return min(100, int(self.credits * 100 / self.total_credits))

    @property
    def completed_on(self) -> date | None:
        if not self.is_complete:
            return None
        dates = [s.completed_on for s in self.slots if s.completed_on]
        return max(dates) if dates else None

    @property
    def has_started(self) -> bool:
        return any(s.status != SlotStatus.NOT_STARTED for s in self.slots)

    @property
    def next_slot(self) -> SlotProgress | None:
        """The first slot that is neither filled nor under way."""
        return next((s for s in self.slots if s.status == SlotStatus.NOT_STARTED), None)


def _programmes_by_region(region_ids) -> dict[int, Programme]:
    programmes = {}
    for programme in (
        Programme.objects.filter(region_id__in=region_ids)
        .prefetch_related("slots")
        .order_by("region_id", "id")
    ):
        programmes.setdefault(programme.region_id, programme)
    return programmes


def progress_for(participants, on: date | None = None) -> dict[int, Progress]:
    """Progress per participant id, for participants with `municipality` loaded.

    Four queries whatever the number: programmes with their slots, enrolments that count
    (passed or under way), and credit transfers. With `on`, progress as it stood that
    day: results dated later count as under way, later decisions not at all.
    """
    participants = list(participants)
    if not participants:
        return {}
    ids = [p.pk for p in participants]
    region_ids = {p.municipality.region_id for p in participants}
    programmes = _programmes_by_region(region_ids)

    enrolments = defaultdict(list)
    for enrolment in (
        Enrolment.objects.filter(
            participant_id__in=ids, state__in=[EnrolmentState.PASSED, *ACTIVE_STATES]
        )
        .select_related("offering__course")
        .order_by("offering__term_index", "id")
    ):
        enrolments[enrolment.participant_id].append(enrolment)

    transfers = defaultdict(list)
    for transfer in CreditTransfer.objects.filter(participant_id__in=ids):
        transfers[transfer.participant_id].append(transfer)

    result = {}
    for participant in participants:
        programme = programmes.get(participant.municipality.region_id)
        result[participant.pk] = _progress(
            programme, enrolments[participant.pk], transfers[participant.pk], on
        )
    return result


def progress_of(participant, on: date | None = None) -> Progress:
    return progress_for([participant], on)[participant.pk]


def _progress(programme, enrolments, transfers, on=None) -> Progress:
    if programme is None:
        return Progress(programme=None)
    if on is not None:
        transfers = [t for t in transfers if t.decided_on <= on]
    slots = {slot.pk: SlotProgress(slot=slot) for slot in programme.slots.all()}
    progress = Progress(programme=programme, slots=list(slots.values()))

    whole = [t for t in transfers if t.covers_programme and t.programme_id == programme.pk]
    if whole:
        progress.exempt_from_programme = True
        for sp in progress.slots:
            sp.status = SlotStatus.CREDITED
            sp.credits = sp.slot.credits
            sp.completed_on = whole[0].decided_on
        return progress

    for enrolment in enrolments:
        sp = slots.get(enrolment.slot_id)
        if sp is None:
            continue
        passed = enrolment.state == EnrolmentState.PASSED and (
            on is None or enrolment.result_date is None or enrolment.result_date <= on
        )
        if passed:
            # Two passes in one slot (both slot-1 alternatives) fill it once: keep the first.
            if sp.status != SlotStatus.PASSED:
                sp.status = SlotStatus.PASSED
                sp.course_title = enrolment.offering.course.title
                sp.credits = min(
                    enrolment.credits if enrolment.credits is not None else sp.slot.credits,
                    sp.slot.credits,
                )
                sp.completed_on = enrolment.result_date
                sp.current = None
        elif sp.status == SlotStatus.NOT_STARTED:
            sp.status = SlotStatus.IN_PROGRESS
            sp.course_title = enrolment.offering.course.title
            sp.current = enrolment

    for transfer in transfers:
        sp = slots.get(transfer.slot_id)
        if sp is not None and sp.status != SlotStatus.PASSED:
            sp.status = SlotStatus.CREDITED
            sp.credits = sp.slot.credits
            sp.completed_on = transfer.decided_on
            sp.current = None
    return progress


# The same progress in SQL, for lists that filter, sort, page or count by it.


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


def _programme_shapes() -> dict[int, _ProgrammeShape]:
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
    shapes = _programme_shapes()
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
