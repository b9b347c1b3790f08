"""Regional uppföljning for the council: aggregates per municipality and per course, the
trend per term since the programme's first term, and mandates and compliance per
municipality. No names, and no figure for a group of fewer than five people.

Every figure of the report passes `portal.disclosure` together (`protect_report`): a
group under five shows as "<5", and whatever would give it away through the region's
total, the trend's cumulative count, a share or another table of the report is withheld
("x").
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from enrolment.compliance import Status, region_compliance_summary
from portal.disclosure import HIDDEN, WITHHELD, Disclosure, Protected
from programmes.selectors import region_programme
from programmes.terms import Term
from reporting.followup.disclosed import disclosed_key_figures
from reporting.followup.figures import key_figures
from reporting.followup.selectors import participation, programme_courses

from ..charts import report_bar_chart
from ..models import ReportScope
from . import ReportRefused, common_context, render_pdf

DEFAULT_FIRST_TERM = "HT2022"


@dataclass
class Group:
    """The figures of one municipality or course, and (`texts`) what may be printed."""

    name: str
    participants: int = 0
    completed: int = 0
    passed: int = 0
    failed: int = 0
    credits: Decimal = Decimal("0")
    texts: dict = field(default_factory=dict)

    @property
    def shown(self) -> bool:
        return self.texts.get("participants") not in (HIDDEN, WITHHELD)

    @property
    def participants_text(self) -> str:
        return self.texts["participants"]

    @property
    def completed_text(self) -> str:
        return self.texts["completed"]

    @property
    def completion_rate(self) -> str:
        return self.texts["completion"]

    @property
    def credits_text(self) -> str:
        return self.texts["credits"]

    @property
    def pass_rate(self) -> str:
        return self.texts["pass"]


@dataclass
class ComplianceLine:
    name: str
    mandate: object
    total: int
    counts: dict = field(default_factory=dict)
    texts: dict = field(default_factory=dict)

    @property
    def grouped(self) -> dict:
        """Done (completed or exempt), at risk, overdue and the rest: they add up."""
        done = self.counts.get(Status.COMPLETED, 0) + self.counts.get(Status.EXEMPT, 0)
        at_risk, overdue = self.counts.get(Status.AT_RISK, 0), self.counts.get(Status.OVERDUE, 0)
        return {
            "done": done,
            "at risk": at_risk,
            "overdue": overdue,
            "rest": self.total - done - at_risk - overdue,
        }

    @property
    def total_text(self) -> str:
        return self.texts["total"] if self.mandate else "–"

    @property
    def done_share(self) -> str:
        return self.texts["done"]

    @property
    def overdue(self) -> str:
        return self.texts["overdue"]

    @property
    def at_risk(self) -> str:
        return self.texts["at risk"]


def _terms(programme, data_date: date, period: tuple[str, str] | None = None) -> list[Term]:
    """The report's terms: the period asked for, within the programme's first term and
    the data date's term (by default all of them)."""
    first = Term.parse(programme.first_term if programme else DEFAULT_FIRST_TERM)
    last = Term.of(data_date)
    if last < first:
        raise ReportRefused(
            _("The programme started in %(term)s, after the data date.") % {"term": first}
        )
    if period:
        first = max(first, Term.parse(period[0]))
        last = min(last, Term.parse(period[1]))
        if last < first:
            raise ReportRefused(
                _("No term of the period lies between the programme's start and the data date.")
            )
    return [Term.from_index(i) for i in range(first.index, last.index + 1)]


def _group(name: str, found: dict, completed: int = 0) -> Group:
    return Group(
        name=name,
        participants=found.get("participants", 0),
        completed=completed,
        passed=found.get("passed", 0),
        failed=found.get("failed", 0),
        credits=found.get("credits") or Decimal("0"),
    )


def _participation(region, programme, terms, data_date: date) -> dict:
    """Managers who took part, per municipality, course and term: the same enrolments
    (`enrolment.facts.took_part_q`) and results (`enrolment.facts.result_known_q`) as the
    key figures count."""
    first, last = terms[0].index, terms[-1].index
    taking_part = participation(region, data_date, first, last)
    groups = []
    for m in region.municipalities.order_by("name"):
        found = taking_part.per_place.get(m.pk, {})
        groups.append(_group(m.name, found, found.get("completed", 0)))
    course_groups = [
        _group(f"{c.slot.position}. {c.title}", taking_part.per_course.get(c.pk, {}))
        for c in programme_courses(programme)
    ]
    total = Group(
        name=_("The region"),
        participants=taking_part.participants,
        completed=sum(g.completed for g in groups),
        passed=sum(g.passed for g in groups),
        failed=sum(g.failed for g in groups),
        credits=sum((g.credits for g in groups), Decimal("0")),
    )
    return {
        "began": taking_part.began,
        "per_term": taking_part.per_term,
        "groups": groups,
        "course_groups": course_groups,
        "total": total,
    }


def _trend(terms, began, per_term) -> list[dict]:
    trend, cumulative = [], 0
    for term in terms:
        cumulative += began.get(term.index, 0)
        trend.append(
            {
                "term": str(term),
                "participants": per_term.get(term.index, 0),
                "new": began.get(term.index, 0),
                "cumulative": cumulative,
            }
        )
    return trend


def _bar(group: Group):
    if group.shown:
        return (group.name, group.participants, group.participants_text)
    return (group.name, None, group.participants_text)


def _charts(trend, groups) -> dict:
    term_bars = [
        (
            t["term"],
            t["participants"] if isinstance(t["participants"], int) else None,
            t["participants"],
        )
        for t in trend
    ]
    return {
        "term_chart": report_bar_chart(_("Managers taking part per term"), term_bars),
        "municipality_chart": report_bar_chart(
            _("Managers taking part per municipality"), [_bar(g) for g in groups]
        ),
    }


def build(
    *, scope: ReportScope, data_date: date, reference: str, on_progress, period=None
) -> bytes:
    region = scope.region
    if region is None:
        raise ReportRefused(_("The regional follow-up needs a region."))
    programme = region_programme(region)
    terms = _terms(programme, data_date, period)
    on_progress(15)
    taking_part = _participation(region, programme, terms, data_date)
    trend = _trend(terms, taking_part["began"], taking_part["per_term"])
    on_progress(40)
    compliance_results = region_compliance_summary(region=region, on=data_date)
    compliance = [
        ComplianceLine(
            name=result.municipality.name,
            mandate=result.mandate,
            total=result.total,
            counts=result.counts,
        )
        for result in compliance_results
    ]
    on_progress(55)
    groups, course_groups = taking_part["groups"], taking_part["course_groups"]
    protect_report(groups, course_groups, taking_part["total"], trend, compliance)
    context = {
        **common_context(title=_("Regional follow-up"), data_date=data_date, reference=reference),
        **_charts(trend, groups),
        "region": region,
        "programme": programme,
        "first_term": str(terms[0]),
        "last_term": str(terms[-1]),
        "total": taking_part["total"],
        "municipalities_taking_part": sum(1 for g in groups if g.participants),
        "groups": groups,
        "course_groups": course_groups,
        "trend": trend,
        "compliance": compliance,
        "mandates": sum(1 for line in compliance if line.mandate),
        "hidden_note": any(not g.shown for g in groups + course_groups),
        # The council's key figures, the same as on its page: completion time, retention
        # and what participants said in the course evaluations.
        "key_figures": disclosed_key_figures(
            key_figures(region=scope.region, on=data_date, compliance_results=compliance_results)
        ),
    }
    return render_pdf("reporting/pdf/regional.html", context, on_progress)


# --- What the council may see: every figure of the report passes one disclosure ----------


def _declare_group(d: Disclosure, key, g: Group) -> None:
    people = d.figure((*key, "participants"), g.participants)
    completed = d.figure((*key, "completed"), g.completed)
    d.total(people, [completed, d.figure((*key, "not completed"), g.participants - g.completed)])
    d.figure((*key, "credits"), g.credits, g.passed)
    results = d.figure((*key, "results"), g.passed + g.failed)
    d.total(results, [d.figure((*key, "passed"), g.passed), d.figure((*key, "failed"), g.failed)])


def _show_group(p: Protected, key, g: Group) -> None:
    credits = p.shown((*key, "credits"))
    g.texts = {
        "participants": str(p.shown((*key, "participants"))),
        "completed": str(p.shown((*key, "completed"))),
        "completion": p.share((*key, "completed"), (*key, "participants")),
        "credits": credits if isinstance(credits, str) else number_format(credits, 1),
        "pass": p.share((*key, "passed"), (*key, "results")),
    }


def _declare_compliance(d: Disclosure, line: ComplianceLine) -> None:
    key = ("compliance", line.name)
    parts = [d.figure((*key, s), n) for s, n in line.grouped.items()]
    d.total(d.figure((*key, "total"), line.total), parts)


def _show_compliance(p: Protected, line: ComplianceLine) -> None:
    key = ("compliance", line.name)
    line.texts = {
        "total": str(p.shown((*key, "total"))),
        "done": p.share((*key, "done"), (*key, "total")),
        "at risk": str(p.shown((*key, "at risk"))),
        "overdue": str(p.shown((*key, "overdue"))),
    }


def protect_report(groups, course_groups, total, trend, compliance) -> None:
    """Declare every figure of the report and how they add up — municipalities to the
    region, the steps of the trend to its cumulative count and to the region's total,
    each share's part and rest — and set what each table prints."""
    d = Disclosure()
    for g in groups:
        _declare_group(d, ("m", g.name), g)
    _declare_group(d, ("region",), total)
    for column in ("participants", "completed", "not completed", "credits", "passed", "failed"):
        d.total(("region", column), [("m", g.name, column) for g in groups])
    for g in course_groups:
        _declare_group(d, ("course", g.name), g)
    new = [d.figure(("new", t["term"]), t["new"]) for t in trend]
    running = [d.figure(("cumulative", t["term"]), t["cumulative"]) for t in trend]
    d.series(new, running)
    if running:
        d.total(("region", "participants"), running[-1:])
    for t in trend:
        d.figure(("term", t["term"]), t["participants"])
    for line in compliance:
        if line.mandate:
            _declare_compliance(d, line)
    p = d.protect()
    for key, g in [*((("m", g.name), g) for g in groups), (("region",), total)]:
        _show_group(p, key, g)
    for g in course_groups:
        _show_group(p, ("course", g.name), g)
    for t in trend:
        t.update(
            participants=p.shown(("term", t["term"])),
            new=p.shown(("new", t["term"])),
            cumulative=p.shown(("cumulative", t["term"])),
        )
    for line in compliance:
        if line.mandate:
            _show_compliance(p, line)
