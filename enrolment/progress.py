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
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.daycache import kept
from programmes.models import CourseEquivalence, Programme, ProgrammeSlot
from programmes.selectors import region_programmes

from . import facts, setbased
from .models import CreditTransfer, Enrolment


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
    # Has begun the programme (see enrolment.facts): a seat on an offering that has
    # started.
    begun: bool = False

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
        """Something under way or done: what makes a manager "in progress" in the list."""
        return any(s.status != SlotStatus.NOT_STARTED for s in self.slots)

    @property
    def earns_certificate(self) -> bool:
        """The one certificate rule: every slot filled, at least one by a course passed.
        Four slot decisions earn none, and neither does a whole-programme decision alone."""
        return self.is_complete and any(s.status == SlotStatus.PASSED for s in self.slots)

    @property
    def holds_seat(self) -> bool:
        """A seat on an offering, started or not (`enrolment.facts.holds_seat`)."""
        return any(s.current is not None and facts.holds_seat(s.current) for s in self.slots)

    @property
    def next_slot(self) -> SlotProgress | None:
        """The first slot that is neither filled nor under way."""
        return next((s for s in self.slots if s.status == SlotStatus.NOT_STARTED), None)


def progress_for(participants, on: date | None = None, *, enrolments=None) -> dict[int, Progress]:
    """Progress per participant id, for participants with `municipality` loaded.

    At most four queries whatever the number: programmes with their slots (kept until a
    write, so usually none), enrolments that count (passed or under way), and credit
    transfers. With `on`, progress as it stood that
    day (today without): results dated later count as under way, later decisions not at
    all. A page that has read the managers' enrolments already (`enrolments`, every
    state, with `offering__course`) passes them and saves that query.
    """
    participants = list(participants)
    if not participants:
        return {}
    on = on or timezone.localdate()
    ids = [p.pk for p in participants]
    programmes = _programmes({p.municipality.region_id for p in participants})
    if enrolments is None:
        enrolments = Enrolment.objects.filter(participant_id__in=ids).select_related(
            "offering__course"
        )
    enrolments = _counting_by_participant(enrolments)

    transfers = defaultdict(list)
    for transfer in CreditTransfer.objects.filter(participant_id__in=ids):
        transfers[transfer.participant_id].append(transfer)

    equivalences = _equivalences(participants, programmes, enrolments)
    result = {}
    for participant in participants:
        programme = programmes.get(participant.municipality.region_id)
        result[participant.pk] = _progress(
            programme,
            enrolments[participant.pk],
            transfers[participant.pk],
            on,
            equivalences.get(programme.pk, {}) if programme else {},
        )
    return result


def _programmes(region_ids) -> dict:
    """The programme of each region with its slots (`region_programmes`), kept until a
    write: the same for every manager of the regions."""
    ids = sorted(region_ids)
    return kept(
        "programmes",
        (",".join(map(str, ids)),),
        lambda: region_programmes(ids, Programme.objects.prefetch_related("slots")),
    )


def _equivalences(participants, programmes, enrolments) -> dict[int, dict[int, int]]:
    """The equivalence tables (course id to slot id) of the programmes that have a
    manager with a course from another programme (one who moved); read only then."""
    needed = set()
    for participant in participants:
        programme = programmes.get(participant.municipality.region_id)
        if programme is None or programme.pk in needed:
            continue
        own = {slot.pk for slot in programme.slots.all()}
        if any(e.slot_id not in own for e in enrolments[participant.pk]):
            needed.add(programme.pk)
    tables = defaultdict(dict)
    if needed:
        for row in CourseEquivalence.objects.filter(programme_id__in=needed).values_list(
            "programme_id", "course_id", "slot_id"
        ):
            tables[row[0]][row[1]] = row[2]
    return tables


def _counting_by_participant(enrolments) -> dict[int, list[Enrolment]]:
    """The enrolments that count (passed or under way), per participant, in term order."""
    if hasattr(enrolments, "filter"):
        enrolments = enrolments.filter(state__in=facts.COUNTING_STATES)
    by_participant = defaultdict(list)
    for enrolment in sorted(
        (e for e in enrolments if e.state in facts.COUNTING_STATES),
        key=lambda e: (e.offering.term_index, e.pk),
    ):
        by_participant[enrolment.participant_id].append(enrolment)
    return by_participant


def progress_of(participant, on: date | None = None, *, enrolments=None) -> Progress:
    """One manager's progress; `enrolments`: theirs, already read (see `progress_for`)."""
    return progress_for([participant], on, enrolments=enrolments)[participant.pk]


def _earliest(sp: SlotProgress, day: date | None) -> None:
    if day is not None:
        sp.completed_on = min(sp.completed_on or day, day)


def _fill(sp: SlotProgress, status: str, credits: Decimal, day: date | None) -> None:
    sp.status, sp.credits, sp.current = status, credits, None
    _earliest(sp, day)


def _progress(programme, enrolments, transfers, on: date, equivalences=None) -> Progress:
    if programme is None:
        return Progress(programme=None)
    transfers = [t for t in transfers if facts.is_decided(t, on=on)]
    slots = {slot.pk: SlotProgress(slot=slot) for slot in programme.slots.all()}
    progress = Progress(programme=programme, slots=list(slots.values()))

    for enrolment in enrolments:
        sp = slots.get(facts.counting_slot(enrolment, slots, equivalences or {}, on=on))
        if sp is None:
            continue
        progress.begun |= facts.begins(enrolment, on=on)
        if facts.is_passed(enrolment, on=on):
            # Two passes in one slot (both slot-1 alternatives) fill it once: the first
            # by term gives the course and the hp, the earliest result the date.
            if sp.status != SlotStatus.PASSED:
                sp.course_title = enrolment.offering.course.title
                credits = enrolment.credits if enrolment.credits is not None else sp.slot.credits
                _fill(sp, SlotStatus.PASSED, min(credits, sp.slot.credits), None)
            _earliest(sp, enrolment.result_date)
        elif sp.status == SlotStatus.NOT_STARTED and facts.is_under_way(enrolment, on=on):
            sp.status = SlotStatus.IN_PROGRESS
            sp.course_title = enrolment.offering.course.title
            sp.current = enrolment

    for transfer in transfers:
        sp = slots.get(transfer.slot_id)
        if sp is None:
            continue
        if sp.status == SlotStatus.PASSED:
            _earliest(sp, transfer.decided_on)
        else:
            _fill(sp, SlotStatus.CREDITED, sp.slot.credits, transfer.decided_on)

    whole = facts.whole_programme_decided(transfers, programme.pk, on=on)
    if whole is not None and not progress.is_complete:
        # The decision fills what courses have not; it never replaces a pass.
        progress.exempt_from_programme = True
        for sp in progress.slots:
            if not sp.is_filled:
                _fill(sp, SlotStatus.CREDITED, sp.slot.credits, whole.decided_on)
    return progress


# The same progress in SQL, for lists that filter, sort, page or count by it.


class ProgrammeStatus(models.TextChoices):
    """Where a manager stands in the programme: the one vocabulary of the list, the
    manager's page, the reports and the start pages. A completed (or exempted) programme
    stays so after the manager leaves; otherwise leaving the manager role comes first,
    because a manager who has left can no longer be nominated. Exempt: a decision for the
    whole programme filled what courses had not."""

    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    EXEMPT = "exempt", _("Exempt")
    LEFT = "left", _("Left the manager role")


# Statuses of a manager for whom the programme is done.
DONE_STATUSES = (ProgrammeStatus.COMPLETED, ProgrammeStatus.EXEMPT)


HP_FIELD = DecimalField(max_digits=5, decimal_places=1)


def programme_status(participant, progress: Progress, *, on: date) -> str:
    """The ProgrammeStatus of a manager on a day: the Python twin of the annotation
    `programme_status` made by `with_programme_status`."""
    if progress.exempt_from_programme:
        return ProgrammeStatus.EXEMPT
    if progress.is_complete:
        return ProgrammeStatus.COMPLETED
    if facts.has_left(participant, on=on):
        return ProgrammeStatus.LEFT
    if progress.has_started:
        return ProgrammeStatus.IN_PROGRESS
    return ProgrammeStatus.NOT_STARTED


@dataclass(frozen=True)
class _ProgrammeShape:
    programme_id: int
    slot_count: int
    credits: Decimal


def _programme_shapes() -> dict[int, _ProgrammeShape]:
    """Each region's programme, with its number of slots and their hp. Read once and
    written into the query as constants, so that no row repeats a subquery for what is
    the same for every manager of a region."""
    rows = region_programmes(
        queryset=Programme.objects.annotate(
            slot_count=Count("slots"), slot_credits=Sum("slots__credits")
        ).values("region_id", "id", "slot_count", "slot_credits")
    )
    return {
        region_id: _ProgrammeShape(row["id"], row["slot_count"], row["slot_credits"] or Decimal(0))
        for region_id, row in rows.items()
    }


def _per_region(shapes, attribute, default, output_field):
    # Under None: the national programme, followed by every region without its own.
    if None in shapes:
        default = getattr(shapes[None], attribute)
    return Case(
        *(
            When(municipality__region_id=region_id, then=Value(getattr(shape, attribute)))
            for region_id, shape in shapes.items()
            if region_id is not None
        ),
        default=Value(default),
        output_field=output_field,
    )


def _per_slot(on: date):
    """Over the programme's slots: how many a course or a slot decision fills, their hp,
    and the hp when a whole-programme decision fills the rest."""
    # Inside the subquery over the programme's slots, OuterRef("pk") is the slot and
    # OuterRef(OuterRef("pk")) the participant of the row being annotated.
    passed = Enrolment.objects.filter(
        facts.passed_q(on=on),
        facts.in_slot_q(OuterRef("pk")),
        participant_id=OuterRef(OuterRef("pk")),
    )
    first_pass_credits = passed.order_by("offering__term_index", "id").values("credits")[:1]
    transferred = CreditTransfer.objects.filter(
        facts.decided_q(on=on), participant_id=OuterRef(OuterRef("pk")), slot_id=OuterRef("pk")
    )
    pass_hp = Least(Coalesce(Subquery(first_pass_credits), F("credits")), F("credits"))
    slot_hp = Case(
        When(Exists(passed), then=pass_hp),
        When(Exists(transferred), then=F("credits")),
        default=Value(Decimal("0")),
        output_field=HP_FIELD,
    )
    slot_hp_exempt = Case(When(Exists(passed), then=pass_hp), default=F("credits"))
    slots = (
        ProgrammeSlot.objects.filter(programme_id=OuterRef("programme_id"))
        .order_by()
        .values("programme_id")
    )
    filled = Count("pk", filter=Q(Exists(passed)) | Q(Exists(transferred)))
    return (
        Subquery(slots.annotate(n=filled).values("n")[:1]),
        Subquery(slots.annotate(hp=Sum(slot_hp)).values("hp")[:1]),
        Subquery(slots.annotate(hp=Sum(slot_hp_exempt, output_field=HP_FIELD)).values("hp")[:1]),
    )


def with_programme_status(queryset, on: date | None = None):
    """Managers annotated with `slots_filled`, `hp`, `programme_exempt` and
    `programme_status` (a ProgrammeStatus value) on a day (today without), all computed
    in SQL from the facts of `enrolment.facts`. Runs two small queries at once, for the
    programmes of the regions.

    On PostgreSQL the whole queryset's progress is computed once, set-based
    (`enrolment.setbased`); elsewhere (the SQLite demo) per manager by subqueries."""
    on = on or timezone.localdate()
    if setbased.is_supported():
        return setbased.with_standing(queryset, on)
    shapes = _programme_shapes()
    filled_count, earned_hp, exempt_hp = _per_slot(on)
    whole_programme = CreditTransfer.objects.filter(
        facts.decided_q(on=on),
        participant_id=OuterRef("pk"),
        slot__isnull=True,
        programme_id=OuterRef("programme_id"),
    )
    under_way = Enrolment.objects.filter(
        facts.under_way_q(on=on),
        participant_id=OuterRef("pk"),
        slot__programme_id=OuterRef("programme_id"),
    )
    slot_count = _per_region(shapes, "slot_count", 0, IntegerField())
    complete_by_slots = Q(filled_count__gte=slot_count) & Q(filled_count__gt=0)
    return (
        queryset.alias(programme_id=_per_region(shapes, "programme_id", None, IntegerField()))
        .alias(
            decided=Exists(whole_programme),
            filled_count=Coalesce(filled_count, 0, output_field=IntegerField()),
        )
        .annotate(
            programme_exempt=Case(
                When(Q(decided=True) & ~complete_by_slots, then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            ),
            slots_filled=Case(
                When(decided=True, then=slot_count),
                default=F("filled_count"),
                output_field=IntegerField(),
            ),
            hp=Case(
                When(decided=True, then=Coalesce(exempt_hp, Decimal("0"), output_field=HP_FIELD)),
                default=Coalesce(earned_hp, Decimal("0"), output_field=HP_FIELD),
                output_field=HP_FIELD,
            ),
            programme_status=Case(
                When(
                    Q(decided=True, slots_filled__gt=0) & ~complete_by_slots,
                    then=Value(ProgrammeStatus.EXEMPT),
                ),
                When(
                    Q(decided=True, slots_filled__gt=0) | complete_by_slots,
                    then=Value(ProgrammeStatus.COMPLETED),
                ),
                When(facts.left_q(on=on), then=Value(ProgrammeStatus.LEFT)),
                When(
                    Q(filled_count__gt=0) | Q(Exists(under_way)),
                    then=Value(ProgrammeStatus.IN_PROGRESS),
                ),
                default=Value(ProgrammeStatus.NOT_STARTED),
                output_field=models.CharField(),
            ),
        )
    )


def with_completion_date(queryset, on: date | None = None):
    """`with_programme_status` and `completed_on`: the day the last slot was first filled
    (`Progress.completed_on`) for a manager who completed by courses and slot decisions,
    NULL for everyone else (an exempt manager too). A slot's first day is its earliest
    dated pass or slot decision by the day; an undated pass fills a slot but gives it no
    day, as in `Progress`. `tests/reporting/test_key_figures.py` shows both forms agree.
    On PostgreSQL the set-based form (`enrolment.setbased`) gives the same column."""
    on = on or timezone.localdate()
    if setbased.is_supported():
        return setbased.with_standing(queryset, on)
    passed = Enrolment.objects.filter(
        facts.passed_q(on=on),
        participant_id=OuterRef(OuterRef("pk")),
        slot_id=OuterRef("pk"),
        result_date__isnull=False,
    )
    transferred = CreditTransfer.objects.filter(
        facts.decided_q(on=on), participant_id=OuterRef(OuterRef("pk")), slot_id=OuterRef("pk")
    )
    first_day = Least(
        Subquery(passed.order_by().values("slot_id").annotate(d=Min("result_date")).values("d")),
        Subquery(
            transferred.order_by().values("slot_id").annotate(d=Min("decided_on")).values("d")
        ),
    )
    last_slot = (
        ProgrammeSlot.objects.filter(programme_id=OuterRef("programme_id"))
        .order_by()
        .values("programme_id")
        .annotate(day=Max(first_day))
        .values("day")[:1]
    )
    return with_programme_status(queryset, on).annotate(
        completed_on=Case(
            When(programme_status=ProgrammeStatus.COMPLETED, then=Subquery(last_slot)),
            default=None,
            output_field=models.DateField(),
        )
    )
