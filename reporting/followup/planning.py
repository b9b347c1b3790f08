"""Intake planning: how many managers must start in each coming term, against the seats.

For each municipality with a mandate, the managers in its scope who have neither
completed nor been exempted, and who have not begun the programme, must start in time
to finish their missing slots by their completion deadline at one course a term:

- the last term they can finish in is the last term that ends on or before the deadline,
  so the latest term they can start in is that term minus (missing slots − 1);
- a start deadline (start within N months) can make it earlier: the last term that
  starts on or before it;
- managers already overdue or at risk, or whose latest term has passed, must start in
  the next term;
- each manager is counted once, in the latest term they can start; the cumulative count
  says how many must have started by each term.

Managers who have begun (`enrolment.facts`: a slot filled, or a seat on an offering
that has started) or who hold a seat on a coming offering are on their way and need no
place in the intake. A manager only nominated or waitlisted still needs one.
Credit-transferred slots are simply not missing.

The need is set against the seats of the first course (slot 1, both alternatives) in the
offerings already planned or open for each term, less the seats already taken; a term
whose need exceeds its free seats is flagged, and so is a term by which the cumulative
need exceeds the cumulative free seats.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from django.db.models import Q

from enrolment import setbased
from enrolment.compliance import (
    MunicipalityCompliance,
    Status,
    compliance_summary,
    compute_compliance,
)
from enrolment.models import Participant
from portal.disclosure import Disclosure, Protected
from programmes.terms import Term

from .selectors import first_course_seats

HORIZON = 6  # three years of terms: the longest usual completion window


def next_term_index(on: date) -> int:
    """The first term that has not started on the day: the earliest a manager can start."""
    term = Term.of(on)
    return term.index if on < term.start else term.index + 1


def last_term_ending_by(day: date) -> int:
    index = Term.of(day).index + 1
    while Term.from_index(index).end > day:
        index -= 1
    return index


def last_term_starting_by(day: date) -> int:
    index = Term.of(day).index + 1
    while Term.from_index(index).start > day:
        index -= 1
    return index


def latest_start(*, missing: int, complete_by: date | None, start_by: date | None) -> int | None:
    """The index of the latest term a manager can start in, or None without deadlines."""
    candidates = []
    if complete_by is not None:
        candidates.append(last_term_ending_by(complete_by) - max(missing, 1) + 1)
    if start_by is not None:
        candidates.append(last_term_starting_by(start_by))
    return min(candidates) if candidates else None


def on_the_way(begun: bool, holds_seat: bool) -> bool:
    """Needs no place in the intake: has begun, or holds a seat on a coming offering."""
    return begun or holds_seat


class Need(NamedTuple):
    """What the plan reads of a manager a mandate applies to."""

    status: str
    on_the_way: bool
    missing: int
    complete_by: date | None
    start_by: date | None

    @classmethod
    def of_judged(cls, judged) -> "Need":
        """From `compliance.judge`'s row (Python)."""
        progress = judged.progress
        return cls(
            judged.status,
            on_the_way(progress.begun, progress.holds_seat),
            len(progress.slots) - progress.slots_filled,
            judged.complete_by,
            judged.start_by,
        )

    @classmethod
    def of_standing(
        cls, status, begun, holds_seat, slot_count, slots_filled, complete_by, start_by
    ):
        """From `setbased`'s columns (the same facts in SQL)."""
        return cls(
            status, on_the_way(begun, holds_seat), slot_count - slots_filled, complete_by, start_by
        )


# The columns of `setbased` that `Need.of_standing` takes, after the municipality.
NEED_COLUMNS = [
    "municipality_id",
    "compliance_status",
    "begun",
    "holds_seat",
    "slot_count",
    "slots_filled",
    "complete_by",
    "start_by",
]


def needs_computed(municipalities, on: date, participant_filter: Q | None = None):
    """Each municipality's compliance and the needs of its managers, judged in Python:
    {municipality: Counter({need: how many managers have it})}."""
    results = compute_compliance(municipalities, on, participant_filter)
    return results, {r.municipality.pk: Counter(Need.of_judged(j) for j in r.rows) for r in results}


def needs_counted(municipalities, on: date, participant_filter: Q | None = None):
    """`needs_computed` in the database: counts and one row per kind of need with how many
    managers have it (far fewer kinds than managers), no model instance (the rows as of
    today are stored, `enrolment.projection`)."""
    if not setbased.is_supported():
        return needs_computed(municipalities, on, participant_filter)
    results = compliance_summary(municipalities, on, participant_filter)
    people = Participant.objects.filter(participant_filter or Q())
    needs = defaultdict(Counter)
    with_mandate = [r.municipality.pk for r in results if r.mandate]
    for municipality_id, *columns, n in setbased.standing_values(
        people,
        on,
        NEED_COLUMNS,
        compliance=True,
        municipality_ids=with_mandate,
        where="mandated",
        counted=True,
    ):
        needs[municipality_id][Need.of_standing(*columns)] += n
    return results, needs


@dataclass
class PlanRow:
    municipality: object
    in_scope: int = 0
    done: int = 0  # completed or exempt
    begun: int = 0
    by_term: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    later: int = 0
    no_deadline: int = 0

    def starts(self, terms: list[Term]) -> list[int]:
        return [self.by_term.get(t.index, 0) for t in terms]

    def cumulative(self, terms: list[Term]) -> list[int]:
        running, out = 0, []
        for count in self.starts(terms):
            running += count
            out.append(running)
        return out

    @property
    def to_start(self) -> int:
        return sum(self.by_term.values()) + self.later + self.no_deadline


@dataclass
class TermSeats:
    term: Term
    seats: int = 0
    taken: int = 0

    @property
    def free(self) -> int:
        return max(self.seats - self.taken, 0)


@dataclass
class TermNeed:
    term: Term
    need: int
    cumulative_need: int
    seats: TermSeats
    cumulative_free: int

    @property
    def short(self) -> bool:
        return self.need > self.seats.free

    @property
    def shortfall(self) -> int:
        return max(self.need - self.seats.free, 0)

    @property
    def short_cumulative(self) -> bool:
        return self.cumulative_need > self.cumulative_free


@dataclass
class IntakePlan:
    on: date
    terms: list[Term]
    rows: list[PlanRow]
    seats: list[TermSeats]

    @property
    def total(self) -> PlanRow:
        total = PlanRow(municipality=None)
        for row in self.rows:
            total.in_scope += row.in_scope
            total.done += row.done
            total.begun += row.begun
            total.later += row.later
            total.no_deadline += row.no_deadline
            for index, count in row.by_term.items():
                total.by_term[index] += count
        return total

    @property
    def needs(self) -> list[TermNeed]:
        total = self.total
        needs, cumulative_need, cumulative_free = [], 0, 0
        for term, seats in zip(self.terms, self.seats, strict=True):
            need = total.by_term.get(term.index, 0)
            cumulative_need += need
            cumulative_free += seats.free
            needs.append(TermNeed(term, need, cumulative_need, seats, cumulative_free))
        return needs

    @property
    def short_terms(self) -> list[Term]:
        return [n.term for n in self.needs if n.short]


def _row(result: MunicipalityCompliance, needs: Counter, first: int, last: int) -> PlanRow:
    row = PlanRow(municipality=result.municipality, in_scope=result.total)
    for need, n in needs.items():
        if need.status in (Status.COMPLETED, Status.EXEMPT):
            row.done += n
            continue
        if need.on_the_way:
            row.begun += n
            continue
        latest = latest_start(
            missing=need.missing, complete_by=need.complete_by, start_by=need.start_by
        )
        if need.status in (Status.OVERDUE, Status.AT_RISK) or (
            latest is not None and latest < first
        ):
            latest = first
        if latest is None:
            row.no_deadline += n
        elif latest > last:
            row.later += n
        else:
            row.by_term[latest] += n
    return row


def _seats(region_ids, terms: list[Term]) -> list[TermSeats]:
    seats, taken = first_course_seats(region_ids, [t.index for t in terms])
    return [TermSeats(t, seats.get(t.index, 0), taken.get(t.index, 0)) for t in terms]


def intake_plan(
    *,
    municipalities,
    region_ids,
    on: date,
    participant_filter: Q | None = None,
    horizon: int = HORIZON,
) -> IntakePlan:
    """The plan for some municipalities (a region's, or an HR administrator's), in a
    fixed number of queries, without a model instance per manager. Municipalities
    without a mandate in force have no row."""
    first = next_term_index(on)
    terms = [Term.from_index(first + i) for i in range(horizon)]
    results, needs = needs_counted(municipalities, on, participant_filter)
    rows = [
        _row(result, needs.get(result.municipality.pk, Counter()), first, terms[-1].index)
        for result in results
        if result.mandate
    ]
    return IntakePlan(on=on, terms=terms, rows=rows, seats=_seats(region_ids, terms))


def region_intake_plan(*, region, on: date, horizon: int = HORIZON) -> IntakePlan:
    return intake_plan(
        municipalities=region.municipalities.order_by("name"),
        region_ids=[region.pk],
        on=on,
        horizon=horizon,
    )


# --- As the viewer may see it ----------------------------------------------------------


@dataclass
class DisplayRow:
    label: str
    in_scope: object
    done: object
    begun: object
    starts: list
    cumulative: list
    later: object
    no_deadline: object


@dataclass
class PlanTable:
    plan: IntakePlan
    rows: list[DisplayRow]
    total: DisplayRow | None
    needs: list[TermNeed]
    exact: bool
    protected: Protected | None = None

    @property
    def terms(self) -> list[Term]:
        return self.plan.terms

    def shown_need(self, need: TermNeed):
        return self.protected.shown(("total", ("start", need.term.index)))

    @property
    def need_rows(self) -> list[tuple[TermNeed, object]]:
        return [(need, self.shown_need(need)) for need in self.needs]


COLUMNS = ("in_scope", "done", "begun", "later", "no_deadline")


def _declare(d: Disclosure, key, row: PlanRow, terms) -> dict:
    """A row's counts, which add up to those in scope, and its cumulative series."""
    keys = {c: d.figure((key, c), getattr(row, c)) for c in COLUMNS}
    starts = [
        d.figure((key, ("start", t.index)), n)
        for t, n in zip(terms, row.starts(terms), strict=True)
    ]
    cumulative = [
        d.figure((key, ("cumulative", t.index)), n)
        for t, n in zip(terms, row.cumulative(terms), strict=True)
    ]
    d.total(keys["in_scope"], [keys[c] for c in COLUMNS[1:]] + starts)
    d.series(starts, cumulative)
    return {**keys, **{k[1]: k for k in starts + cumulative}}


def _display(p: Protected, key, label: str, terms) -> DisplayRow:
    shown = {c: p.shown((key, c)) for c in COLUMNS}
    return DisplayRow(
        label=label,
        starts=[p.shown((key, ("start", t.index))) for t in terms],
        cumulative=[p.shown((key, ("cumulative", t.index))) for t in terms],
        **shown,
    )


def plan_table(plan: IntakePlan, *, exact: bool, regional: bool, total_label: str) -> PlanTable:
    """The plan with each count as the viewer may see it: exact for those who may see the
    managers themselves, through `portal.disclosure` otherwise (the council): the counts
    of a row add up to those in scope, the rows to the region, and each cumulative count
    to the starts before it. Only a regional plan has a total and a comparison with the
    seats."""
    d = Disclosure(exact=exact)
    terms = plan.terms
    rows = {r.municipality.pk: _declare(d, r.municipality.pk, r, terms) for r in plan.rows}
    total = _declare(d, "total", plan.total, terms)
    if regional:
        for column, key in total.items():
            d.total(key, [row[column] for row in rows.values()])
    p = d.protect()
    return PlanTable(
        plan=plan,
        rows=[_display(p, r.municipality.pk, r.municipality.name, terms) for r in plan.rows],
        total=_display(p, "total", total_label, terms) if regional else None,
        needs=plan.needs if regional else [],
        exact=exact,
        protected=p,
    )
