"""National follow-up: the regions side by side, for the national administrator, built
from the regional report's own parts (`reporting.builders.regional`): who took part and
with what results per region, compliance per region, and the figures split by the
provider that gave the courses. No names, and every figure passes `portal.disclosure`
together, as in the regional report: a region (or provider) with fewer than five people
shows as "<5", and whatever would give it away through the nation's total is withheld.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from enrolment.compliance import region_compliance
from portal.disclosure import Disclosure
from programmes.models import Provider, Region
from programmes.selectors import region_programmes
from reporting.followup.selectors import placed_enrolments, results_by, took_part_q

from . import ReportRefused, common_context, render_pdf
from .regional import (
    ComplianceLine,
    Group,
    _declare_compliance,
    _declare_group,
    _participation,
    _show_group,
    _terms,
)


@dataclass
class National:
    """What the national follow-up shows, after the disclosure control."""

    data_date: date
    regions: list[Group] = field(default_factory=list)
    total: Group | None = None
    compliance: list[ComplianceLine] = field(default_factory=list)
    providers: list[Group] = field(default_factory=list)
    first_term: str = ""
    last_term: str = ""

    @property
    def hidden_note(self) -> bool:
        return any(not g.shown for g in self.regions + self.providers)


def _provider_results(region, terms, data_date: date) -> dict:
    """The region's participation per provider: the offering's own provider, else the
    lead provider of its programme."""
    enrolments = (
        placed_enrolments(region, data_date)
        .filter(
            took_part_q(on=data_date),
            offering__term_index__gte=terms[0].index,
            offering__term_index__lte=terms[-1].index,
        )
        .annotate(
            given_by=Coalesce(
                F("offering__provider_id"), F("offering__course__slot__programme__provider_id")
            )
        )
    )
    return results_by(enrolments, "given_by", data_date)


def _add(into: dict, found: dict) -> None:
    for provider_id, row in found.items():
        total = into.setdefault(
            provider_id, {"participants": 0, "passed": 0, "failed": 0, "credits": Decimal("0")}
        )
        for key in ("participants", "passed", "failed"):
            total[key] += row.get(key) or 0
        total["credits"] += row.get("credits") or Decimal("0")


def _region_line(region, programme, data_date: date):
    """One region's total (the regional report's own), its compliance in one line and
    its figures per provider; None for a region whose programme starts after the day."""
    try:
        terms = _terms(programme, data_date)
    except ReportRefused:
        return None
    total = _participation(region, programme, terms, data_date)["total"]
    total.name = region.name
    counts: dict = {}
    managers = mandates = 0
    for result in region_compliance(region=region, on=data_date):
        if not result.mandate:
            continue
        mandates += 1
        managers += result.total
        for status, n in result.counts.items():
            counts[status] = counts.get(status, 0) + n
    line = ComplianceLine(name=region.name, mandate=mandates or None, total=managers, counts=counts)
    return total, line, _provider_results(region, terms, data_date), terms


def national_figures(*, data_date: date, region_ids=None) -> National:
    """The national follow-up for the regions (every region without `region_ids`)."""
    regions = Region.objects.order_by("name")
    if region_ids is not None:
        regions = regions.filter(pk__in=region_ids)
    regions = list(regions)
    programmes = region_programmes([r.pk for r in regions])
    national = National(data_date=data_date)
    per_provider: dict = {}
    first = last = None
    for region in regions:
        found = _region_line(region, programmes.get(region.pk), data_date)
        if found is None:
            continue
        total, line, providers, terms = found
        national.regions.append(total)
        national.compliance.append(line)
        _add(per_provider, providers)
        first = min(first, terms[0]) if first else terms[0]
        last = max(last, terms[-1]) if last else terms[-1]
    names = dict(Provider.objects.filter(pk__in=per_provider).values_list("pk", "name"))
    national.providers = [
        Group(
            name=names[pk],
            participants=row["participants"],
            passed=row["passed"],
            failed=row["failed"],
            credits=row["credits"],
        )
        for pk, row in sorted(per_provider.items(), key=lambda item: names[item[0]])
    ]
    national.total = Group(
        name=_("The nation"),
        participants=sum(g.participants for g in national.regions),
        completed=sum(g.completed for g in national.regions),
        passed=sum(g.passed for g in national.regions),
        failed=sum(g.failed for g in national.regions),
        credits=sum((g.credits for g in national.regions), Decimal("0")),
    )
    national.first_term, national.last_term = str(first or ""), str(last or "")
    protect_national(national)
    return national


def protect_national(national: National) -> None:
    """Declare every figure and how they add up — regions to the nation — and set what
    each table prints. Providers are declared apart: a manager may take courses from two
    providers, so their rows add up to nothing shown."""
    d = Disclosure()
    for g in national.regions:
        _declare_group(d, ("r", g.name), g)
    _declare_group(d, ("nation",), national.total)
    for column in ("participants", "completed", "not completed", "credits", "passed", "failed"):
        d.total(("nation", column), [("r", g.name, column) for g in national.regions])
    for g in national.providers:
        _declare_group(d, ("provider", g.name), g)
    for line in national.compliance:
        if line.mandate:
            _declare_compliance(d, line)
    p = d.protect()
    for g in national.regions:
        _show_group(p, ("r", g.name), g)
    _show_group(p, ("nation",), national.total)
    for g in national.providers:
        _show_group(p, ("provider", g.name), g)
    for line in national.compliance:
        if line.mandate:
            key = ("compliance", line.name)
            line.texts = {
                "total": str(p.shown((*key, "total"))),
                "done": p.share((*key, "done"), (*key, "total")),
                "at risk": str(p.shown((*key, "at risk"))),
                "overdue": str(p.shown((*key, "overdue"))),
            }


def build(*, data_date: date, reference: str, on_progress, region_ids=None) -> bytes:
    national = national_figures(data_date=data_date, region_ids=region_ids)
    if not national.regions:
        raise ReportRefused(_("No region has a programme under way on the data date."))
    on_progress(55)
    context = {
        **common_context(title=_("National follow-up"), data_date=data_date, reference=reference),
        "national": national,
    }
    return render_pdf("reporting/pdf/national.html", context, on_progress)
