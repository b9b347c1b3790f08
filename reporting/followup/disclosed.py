"""The key figures as the council may see them: every figure passes `portal.disclosure`.

`disclosed_key_figures(kf)` declares each figure of the page, its download and the
regional report, and how they add up (municipalities to the region, terms to all terms
for hp, the part and the rest of every share), and returns the same shape as
`KeyFigures` with each figure as it may be printed. Where most of the municipality × term
grid would be hidden, the grid gives way to the coarser tables that say something: each
municipality over all terms, and the region per term.
"""

from dataclasses import dataclass, field, replace

from portal.disclosure import HIDDEN, NO_FIGURE, WITHHELD, Disclosure, Protected, is_small

from .figures import KeyFigures


@dataclass(frozen=True)
class ShownCell:
    shown: object

    @property
    def hidden(self) -> bool:
        return self.shown in (HIDDEN, WITHHELD)

    @property
    def value(self):
        return None if self.hidden else self.shown


@dataclass(frozen=True)
class ShownRatio:
    shown_part: object
    shown_whole: object
    shown_share: str
    percent: int | None

    @property
    def hidden(self) -> bool:
        return self.percent is None and self.shown_share != NO_FIGURE


@dataclass
class ShownRow:
    label: str
    cells: list[ShownCell]
    total: ShownCell
    municipality: object = None


@dataclass
class ShownCourse:
    course: object
    pass_rate: ShownRatio


@dataclass
class Shown:
    """What one output holds: the protected figures and the grids' coarseness."""

    protected: Protected
    coarse: dict = field(default_factory=dict)


def _mostly_hidden(rows) -> bool:
    """More than half of the non-empty cells of a grid concern one to four people."""
    people = [c.people for r in rows for c in r.cells if c.people]
    return sum(is_small(n) for n in people) * 2 > len(people)


def _declare_grid(d: Disclosure, name, kf: KeyFigures, rows, total, *, additive, coarse):
    """A municipality × term grid with its margins. The region's column per term always
    adds up its municipalities; only sums (hp, `additive`) also add up along a row, and
    only their figures are made by a number of people other than themselves."""

    def _people(cell):
        return cell.people if additive else None

    terms = [t.index for t in kf.terms]
    column_parts = {t: [] for t in terms}
    for row in rows:
        m = row.municipality.pk
        keys = []
        for t, cell in zip(terms, row.cells, strict=True):
            if not coarse:
                keys.append(d.figure((name, m, t), cell.value, _people(cell)))
                column_parts[t].append(keys[-1])
        row_key = d.figure((name, m, "all"), row.total.value, _people(row.total))
        if additive and keys:
            d.total(row_key, keys)
    region = []
    for t, cell in zip(terms, total.cells, strict=True):
        region.append(d.figure((name, "region", t), cell.value, _people(cell)))
        d.total(region[-1], column_parts[t])
    grand = d.figure((name, "region", "all"), total.total.value, _people(total.total))
    d.total(grand, [(name, r.municipality.pk, "all") for r in rows])
    if additive:
        d.total(grand, region)


def _declare_ratio(d: Disclosure, key, ratio):
    """A share's part and whole, and the rest of the whole, which is a group too."""
    part = d.figure((*key, "part"), ratio.part)
    rest = d.figure((*key, "rest"), ratio.whole - ratio.part)
    return d.total(d.figure((*key, "whole"), ratio.whole), [part, rest])


def _declare(kf: KeyFigures, exact: bool) -> Shown:
    d = Disclosure(exact=exact)
    coarse = {
        "trained": not exact and _mostly_hidden(kf.trained),
        "hp": not exact and _mostly_hidden(kf.credits),
    }
    _declare_grid(
        d, "trained", kf, kf.trained, kf.trained_total, additive=False, coarse=coarse["trained"]
    )
    _declare_grid(d, "hp", kf, kf.credits, kf.credits_total, additive=True, coarse=coarse["hp"])
    for course in kf.courses:
        _declare_ratio(d, ("course", course.course.pk), course.pass_rate)
    for name, cohorts in (("completion", kf.completion), ("retention", kf.retention)):
        for cohort in cohorts:
            _declare_ratio(d, (name, cohort.months), cohort.ratio)
    parts = {"part": [], "rest": [], "whole": []}
    for item in kf.compliance:
        _declare_ratio(d, ("compliance", item.municipality.pk), item.ratio)
        for kind, keys in parts.items():
            keys.append(("compliance", item.municipality.pk, kind))
    if kf.compliance:
        _declare_ratio(d, ("compliance", "region"), kf.compliance_total)
        for kind, keys in parts.items():
            d.total(("compliance", "region", kind), keys)
    return Shown(protected=d.protect(), coarse=coarse)


def _ratio(p: Protected, key) -> ShownRatio:
    part, whole = (*key, "part"), (*key, "whole")
    return ShownRatio(
        shown_part=p.shown(part),
        shown_whole=p.shown(whole),
        shown_share=p.share(part, whole),
        percent=p.percent(part, whole),
    )


def _rows(p: Protected, name, kf: KeyFigures, rows, total, coarse):
    terms = [t.index for t in kf.terms]
    shown_rows = [
        ShownRow(
            label=r.label,
            municipality=r.municipality,
            cells=[]
            if coarse
            else [ShownCell(p.shown((name, r.municipality.pk, t))) for t in terms],
            total=ShownCell(p.shown((name, r.municipality.pk, "all"))),
        )
        for r in rows
    ]
    shown_total = ShownRow(
        label=total.label,
        cells=[ShownCell(p.shown((name, "region", t))) for t in terms],
        total=ShownCell(p.shown((name, "region", "all"))),
    )
    return shown_rows, shown_total


def disclosed_key_figures(kf: KeyFigures, *, exact: bool = False) -> KeyFigures:
    """The key figures with each figure as it may be printed (see the module's note)."""
    shown = _declare(kf, exact)
    p = shown.protected
    trained, trained_total = _rows(
        p, "trained", kf, kf.trained, kf.trained_total, shown.coarse["trained"]
    )
    credits, credits_total = _rows(p, "hp", kf, kf.credits, kf.credits_total, shown.coarse["hp"])
    result = replace(
        kf,
        trained=trained,
        trained_total=trained_total,
        credits=credits,
        credits_total=credits_total,
        courses=[ShownCourse(c.course, _ratio(p, ("course", c.course.pk))) for c in kf.courses],
        completion=[replace(c, ratio=_ratio(p, ("completion", c.months))) for c in kf.completion],
        retention=[replace(c, ratio=_ratio(p, ("retention", c.months))) for c in kf.retention],
        compliance=[
            replace(c, ratio=_ratio(p, ("compliance", c.municipality.pk))) for c in kf.compliance
        ],
        compliance_total=_ratio(p, ("compliance", "region")) if kf.compliance else None,
    )
    result.coarse = shown.coarse
    return result
