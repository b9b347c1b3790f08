"""The council's key figures for a region, as one plain function.

`key_figures(region=…, on=…)` gives every figure of the key-figure page, its download and
the regional report, in a fixed number of queries whatever the size of the region. It
reads through `selectors`: counts are made in the database, and the few per-person facts
(first course, left date, completion date, exemption) come as plain rows, the progress in
SQL (`enrolment.progress.with_completion_date`), with no model instance per manager.

Definitions, so that the page, the file and the report say the same thing:

- A manager is *trained* in a term when an enrolment of theirs on an offering of that term
  has started (the offering's start date is on or before the day) and they took the
  course: registered, passed or failed.
- *hp produced* is the sum of the credits of passed enrolments, by the offering's term.
  Credit transfers are not produced by the programme and are left out.
- The *pass rate* of a course is passed / (passed + failed) over all its offerings.
- *Completion within two (three) years*: among managers whose first course started at
  least two (three) years before the day, those whose 30 hp were complete, counting
  credit-transferred slots, by the first course's start plus two (three) years.
  Managers exempted from the whole programme are left out.
- *Retention after 12 (24) months*: among managers whose first course started at least
  12 (24) months before the day, those still managers then (no left date, or one after
  the first course's start plus 12 (24) months).
- *Compliance*: of the managers in scope of their municipality's mandate, those who have
  completed, are exempt or are on track.

No count of one to four people is shown, and no share of such a group: see `Cell` and
`Ratio`, which every page, file and report prints through.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from enrolment.cohorts import COMPLETION_SPANS, RETENTION_SPANS
from enrolment.compliance import Status, region_compliance_summary
from portal.disclosure import HIDDEN, MIN_GROUP, suppressed
from portal.exports import Table
from programmes.models import Course, Municipality, Programme
from programmes.terms import Term
from reporting.evaluations.selectors import StatementResult, statement_summary

from . import selectors

COMPLYING = (Status.COMPLETED, Status.EXEMPT, Status.ON_TRACK)


def _small(n: int) -> bool:
    return 0 < n < MIN_GROUP


@dataclass(frozen=True)
class Cell:
    """A figure made by `people` people: hidden when they are one to four."""

    value: int | Decimal
    people: int

    @property
    def hidden(self) -> bool:
        return _small(self.people)

    @property
    def shown(self):
        return HIDDEN if self.hidden else self.value


@dataclass(frozen=True)
class Ratio:
    """A part of a group of people, e.g. passed of those with a result."""

    part: int
    whole: int

    @property
    def hidden(self) -> bool:
        return _small(self.part) or _small(self.whole)

    @property
    def percent(self) -> int | None:
        """The share in whole percent, or None when it may not be shown."""
        if self.hidden or not self.whole:
            return None
        return round(100 * self.part / self.whole)

    @property
    def shown_part(self):
        return suppressed(self.part)

    @property
    def shown_whole(self):
        return suppressed(self.whole)

    @property
    def shown_share(self) -> str:
        if self.hidden:
            return HIDDEN
        if not self.whole:
            return "–"
        return f"{self.percent} %"


@dataclass
class GridRow:
    label: str
    cells: list[Cell]
    total: Cell
    municipality: Municipality | None = None


@dataclass
class CourseFigure:
    course: Course
    passed: int
    failed: int

    @property
    def pass_rate(self) -> Ratio:
        return Ratio(self.passed, self.passed + self.failed)


@dataclass
class CohortFigure:
    """Completion or retention of the managers who started long enough ago."""

    months: int
    ratio: Ratio


@dataclass
class ComplianceFigure:
    municipality: Municipality
    ratio: Ratio


@dataclass
class KeyFigures:
    region: object
    on: date
    terms: list[Term]
    trained: list[GridRow]
    trained_total: GridRow
    credits: list[GridRow]
    credits_total: GridRow
    courses: list[CourseFigure]
    completion: list[CohortFigure]
    retention: list[CohortFigure]
    evaluation_responses: int
    evaluation: list[StatementResult]
    compliance: list[ComplianceFigure]
    compliance_total: Ratio
    municipalities: list[Municipality] = field(default_factory=list)

    @property
    def trained_per_term(self) -> list[tuple[Term, Cell]]:
        """The region's managers trained per term: the numbers behind its chart."""
        return list(zip(self.terms, self.trained_total.cells, strict=True))


def _terms(region, on: date, seen: set[int]) -> list[Term]:
    """From the programme's first term (or the first term with data) to the day's term."""
    firsts = [
        Term.parse(p.first_term).index
        for p in Programme.objects.filter(region=region).only("first_term")
    ]
    last = Term.of(on).index
    first = min(firsts + sorted(seen)[:1], default=last)
    return [Term.from_index(i) for i in range(first, last + 1)]


def _grid(municipalities, terms, cells: dict, row_totals: dict) -> tuple[list[GridRow], GridRow]:
    """Rows per municipality and a total row from {(municipality, term): (value, people)}
    and {municipality: (value, people)}. Column totals add up the municipalities: a
    manager belongs to one municipality, so their people never overlap."""
    zero = (0, 0)
    indexes = [t.index for t in terms]
    column_values, column_people = [0] * len(indexes), [0] * len(indexes)
    total_value = total_people = 0
    rows = []
    for m in municipalities:
        pk = m.pk
        row_cells = []
        for i, t in enumerate(indexes):
            value, people = cells.get((pk, t), zero)
            row_cells.append(Cell(value, people))
            column_values[i] += value
            column_people[i] += people
        value, people = row_totals.get(pk, zero)
        total_value += value
        total_people += people
        rows.append(
            GridRow(label=m.name, municipality=m, cells=row_cells, total=Cell(value, people))
        )
    column = [Cell(v, n) for v, n in zip(column_values, column_people, strict=True)]
    return rows, GridRow(label=_("The region"), cells=column, total=Cell(total_value, total_people))


def key_figures(*, region, on: date, compliance_results=None) -> KeyFigures:
    """The council's key figures. `compliance_results` (from `region_compliance_summary` for the
    same region and day) saves computing compliance twice when the caller has it."""
    municipalities = list(selectors.region_municipalities(region).order_by("name"))
    cells = selectors.grids(region, on)
    trained_cells, credit_cells = cells.trained_cells, cells.credit_cells
    trained = selectors.trained_counts(region, on)

    terms = _terms(region, on, {t for _m, t in trained_cells} | {t for _m, t in credit_cells})
    trained_grid, trained_total = _grid(
        municipalities, terms, trained_cells, {m: (n, n) for m, n in trained.per_place.items()}
    )
    credits_grid, credits_total = _grid(municipalities, terms, credit_cells, cells.credit_rows)
    courses = [
        CourseFigure(course=c, passed=c.passed, failed=c.failed)
        for c in selectors.course_results(region, on)
    ]
    responses = selectors.evaluation_responses(region)
    compliance, compliance_total = _compliance(region, on, compliance_results)
    return KeyFigures(
        region=region,
        on=on,
        terms=terms,
        trained=trained_grid,
        trained_total=trained_total,
        credits=credits_grid,
        credits_total=credits_total,
        courses=courses,
        completion=[
            CohortFigure(months=months, ratio=Ratio(*trained.completion[months]))
            for months in COMPLETION_SPANS
        ],
        retention=[
            CohortFigure(months=months, ratio=Ratio(*trained.retention[months]))
            for months in RETENTION_SPANS
        ],
        evaluation_responses=responses.count(),
        evaluation=statement_summary(responses),
        compliance=compliance,
        compliance_total=compliance_total,
        municipalities=municipalities,
    )


def _compliance(region, on: date, results=None) -> tuple[list[ComplianceFigure], Ratio]:
    figures = []
    if results is None:
        results = region_compliance_summary(region=region, on=on)
    for result in results:
        if result.mandate is None:
            continue
        counts = result.counts
        figures.append(
            ComplianceFigure(
                municipality=result.municipality,
                ratio=Ratio(sum(counts[s] for s in COMPLYING), result.total),
            )
        )
    total = Ratio(sum(f.ratio.part for f in figures), sum(f.ratio.whole for f in figures))
    return figures, total


# --- The same figures as one table, for the download and the regional report ----------


def _share(ratio: Ratio):
    return ratio.percent if ratio.percent is not None else ""


def _figure_rows(kf: KeyFigures):
    """(figure, municipality, term, subject, value, out of, share) for one region."""
    for title, grid, total in (
        (_("Managers trained"), kf.trained, kf.trained_total),
        (_("hp produced"), kf.credits, kf.credits_total),
    ):
        for row in [*grid, total]:
            # A coarse grid has no cells per municipality and term, only its margins.
            for term, cell in zip(kf.terms, row.cells, strict=False):
                yield title, row.label, str(term), "", cell.shown, "", ""
            yield title, row.label, _("All terms"), "", row.total.shown, "", ""
    for course in kf.courses:
        r = course.pass_rate
        yield _("Pass rate"), "", "", course.course.title, r.shown_part, r.shown_whole, _share(r)
    for cohort in kf.completion:
        r = cohort.ratio
        title = _("Completed 30 hp within %(years)s years of the first course") % {
            "years": cohort.months // 12
        }
        yield title, "", "", "", r.shown_part, r.shown_whole, _share(r)
    for cohort in kf.retention:
        r = cohort.ratio
        title = _("Still a manager %(months)s months after the first course") % {
            "months": cohort.months
        }
        yield title, "", "", "", r.shown_part, r.shown_whole, _share(r)
    for statement in kf.evaluation:
        value, answers = (
            (HIDDEN, HIDDEN) if statement.hidden else (statement.mean, statement.answers)
        )
        yield _("Course evaluations, mean (1–5)"), "", "", statement.text, value, answers, ""
    title = _("Managers in scope of a mandate who comply")
    for item in kf.compliance:
        r = item.ratio
        yield title, item.municipality.name, "", "", r.shown_part, r.shown_whole, _share(r)
    if kf.compliance:
        r = kf.compliance_total
        yield title, _("The region"), "", "", r.shown_part, r.shown_whole, _share(r)


def key_figures_table(figures_list: list[KeyFigures]) -> Table:
    """Every key figure as a row of plain values, with the small groups already hidden."""
    return Table(
        title=_("Key figures"),
        headers=[
            _("Region"),
            _("Figure"),
            _("Municipality"),
            _("Term"),
            _("Course or statement"),
            _("Value"),
            _("Out of"),
            _("Share (%)"),
        ],
        rows=[[str(kf.region), *row] for kf in figures_list for row in _figure_rows(kf)],
    )
