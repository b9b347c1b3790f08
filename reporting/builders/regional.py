"""Regional uppföljning for the council: aggregates per municipality and per course, the
trend per term since the programme's first term, and mandates and compliance per
municipality. No names, and no figure for a group of fewer than five people.

A group under five shows its count as "<5" and no other figure. When exactly one
municipality (or course) is hidden in a table that also shows the region's total, the
next smallest is withheld too ("–"), since the total minus the others would give the
hidden count away.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from enrolment.compliance import Status, region_compliance
from enrolment.models import Enrolment, EnrolmentState, Participant
from enrolment.progress import progress_for
from portal.disclosure import HIDDEN, MIN_GROUP, suppressed
from programmes.models import Course, Programme
from programmes.terms import Term
from reporting.followup.figures import key_figures

from ..models import ReportScope
from . import ReportRefused, common_context, render_pdf
from .charts import bar_chart

DEFAULT_FIRST_TERM = "HT2022"
WITHHELD = "–"


def share(part: int, whole: int) -> str:
    """A percentage, hidden when the part or the whole is a group of one to four."""
    if not whole:
        return "–"
    if 0 < part < MIN_GROUP or whole < MIN_GROUP:
        return HIDDEN
    return f"{round(100 * part / whole)} %"


@dataclass
class Group:
    """The figures of one municipality or course, and how much of them may be shown."""

    name: str
    participants: int = 0
    completed: int = 0
    passed: int = 0
    failed: int = 0
    credits: Decimal = Decimal("0")
    withheld: bool = False

    @property
    def hidden(self) -> bool:
        return 0 < self.participants < MIN_GROUP

    @property
    def shown(self) -> bool:
        return not (self.hidden or self.withheld)

    @property
    def participants_text(self) -> str:
        return WITHHELD if self.withheld else str(suppressed(self.participants))

    @property
    def completed_text(self) -> str:
        return str(suppressed(self.completed)) if self.shown else WITHHELD

    @property
    def completion_rate(self) -> str:
        return share(self.completed, self.participants) if self.shown else WITHHELD

    @property
    def credits_text(self) -> str:
        return number_format(self.credits, 1) if self.shown else WITHHELD

    @property
    def pass_rate(self) -> str:
        results = self.passed + self.failed
        if not self.shown or results < MIN_GROUP:
            return WITHHELD
        return f"{round(100 * self.passed / results)} %"


def withhold_second(groups: list[Group]) -> None:
    """Secondary suppression: never leave a single hidden group that the total reveals."""
    hidden = [g for g in groups if g.hidden]
    if len(hidden) == 1:
        others = sorted(
            (g for g in groups if not g.hidden and g.participants), key=lambda g: g.participants
        )
        if others:
            others[0].withheld = True


@dataclass
class ComplianceLine:
    name: str
    mandate: object
    total: int
    counts: dict = field(default_factory=dict)

    def count(self, status) -> str:
        if 0 < self.total < MIN_GROUP:
            return WITHHELD
        return str(suppressed(self.counts.get(status, 0)))

    @property
    def total_text(self) -> str:
        return str(suppressed(self.total)) if self.mandate else "–"

    @property
    def done_share(self) -> str:
        done = self.counts.get(Status.COMPLETED, 0) + self.counts.get(Status.EXEMPT, 0)
        return share(done, self.total)

    @property
    def overdue(self) -> str:
        return self.count(Status.OVERDUE)

    @property
    def at_risk(self) -> str:
        return self.count(Status.AT_RISK)


def _results(queryset, key: str) -> dict:
    passed = Q(state=EnrolmentState.PASSED)
    return {
        row[key]: row
        for row in queryset.values(key).annotate(
            passed=Count("pk", filter=passed),
            failed=Count("pk", filter=Q(state=EnrolmentState.FAILED)),
            credits=Sum(Coalesce("credits", "offering__course__credits"), filter=passed),
            participants=Count("participant", distinct=True),
        )
    }


def build(*, scope: ReportScope, data_date: date, reference: str, on_progress) -> bytes:
    region = scope.region
    if region is None:
        raise ReportRefused(_("The regional follow-up needs a region."))
    programme = (
        Programme.objects.filter(region=region).select_related("provider").order_by("id").first()
    )
    first = Term.parse(programme.first_term if programme else DEFAULT_FIRST_TERM)
    last = Term.of(data_date)
    if last < first:
        raise ReportRefused(
            _("The programme started in %(term)s, after the data date.") % {"term": first}
        )
    terms = [Term.from_index(i) for i in range(first.index, last.index + 1)]
    municipalities = list(region.municipalities.order_by("name"))

    enrolments = Enrolment.objects.filter(
        participant__municipality__region=region,
        offering__term_index__gte=first.index,
        offering__term_index__lte=last.index,
    )
    # One row per manager who took part: where they belong and the term they began.
    firsts = list(
        enrolments.values("participant_id", "participant__municipality_id").annotate(
            first=Min("offering__term_index")
        )
    )
    per_term = dict(
        enrolments.values_list("offering__term_index").annotate(
            n=Count("participant", distinct=True)
        )
    )
    by_municipality = _results(enrolments, "participant__municipality_id")
    by_course = _results(enrolments, "offering__course_id")
    courses = list(
        Course.objects.filter(slot__programme=programme)
        .select_related("slot")
        .order_by("slot__position", "title")
    )
    on_progress(15)

    takers = Participant.objects.filter(pk__in=enrolments.values("participant_id")).select_related(
        "municipality"
    )
    progress = progress_for(takers, data_date)
    on_progress(30)
    completed_by_municipality: dict[int, int] = {}
    for row in firsts:
        if progress[row["participant_id"]].is_complete:
            key = row["participant__municipality_id"]
            completed_by_municipality[key] = completed_by_municipality.get(key, 0) + 1

    groups = []
    for municipality in municipalities:
        found = by_municipality.get(municipality.pk, {})
        groups.append(
            Group(
                name=municipality.name,
                participants=found.get("participants", 0),
                completed=completed_by_municipality.get(municipality.pk, 0),
                passed=found.get("passed", 0),
                failed=found.get("failed", 0),
                credits=found.get("credits") or Decimal("0"),
            )
        )
    withhold_second(groups)
    course_groups = []
    for course in courses:
        found = by_course.get(course.pk, {})
        course_groups.append(
            Group(
                name=f"{course.slot.position}. {course.title}",
                participants=found.get("participants", 0),
                passed=found.get("passed", 0),
                failed=found.get("failed", 0),
                credits=found.get("credits") or Decimal("0"),
            )
        )
    withhold_second(course_groups)
    total = Group(
        name=_("The region"),
        participants=len(firsts),
        completed=sum(completed_by_municipality.values()),
        passed=sum(g.passed for g in groups),
        failed=sum(g.failed for g in groups),
        credits=sum((g.credits for g in groups), Decimal("0")),
    )

    began = {}
    for row in firsts:
        began[row["first"]] = began.get(row["first"], 0) + 1
    trend, cumulative = [], 0
    for term in terms:
        cumulative += began.get(term.index, 0)
        trend.append(
            {
                "term": str(term),
                "participants": suppressed(per_term.get(term.index, 0)),
                "new": suppressed(began.get(term.index, 0)),
                "cumulative": suppressed(cumulative),
            }
        )
    on_progress(40)

    compliance_results = region_compliance(region=region, on=data_date)
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

    def bar(group: Group):
        if group.shown:
            return (group.name, group.participants, group.participants_text)
        return (group.name, None, group.participants_text)

    context = {
        **common_context(title=_("Regional follow-up"), data_date=data_date, reference=reference),
        "region": region,
        "programme": programme,
        "first_term": str(first),
        "last_term": str(last),
        "total": total,
        "municipalities_taking_part": sum(1 for g in groups if g.participants),
        "groups": groups,
        "course_groups": course_groups,
        "trend": trend,
        "compliance": compliance,
        "mandates": sum(1 for line in compliance if line.mandate),
        "term_chart": bar_chart(
            _("Managers taking part per term"),
            [
                (
                    t["term"],
                    t["participants"] if isinstance(t["participants"], int) else None,
                    t["participants"],
                )
                for t in trend
            ],
        ),
        "municipality_chart": bar_chart(
            _("Managers taking part per municipality"), [bar(g) for g in groups]
        ),
        "hidden_note": any(not g.shown for g in groups + course_groups),
        # The council's key figures, the same as on its page: completion time, retention
        # and what participants said in the course evaluations.
        "key_figures": key_figures(
            region=scope.region, on=data_date, compliance_results=compliance_results
        ),
    }
    return render_pdf("reporting/pdf/regional.html", context, on_progress)
