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

from django.db.models import F, Min
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from enrolment.compliance import compliance_summary
from enrolment.facts import placed_municipality, took_part_q
from enrolment.models import Enrolment
from portal.disclosure import Disclosure
from programmes.models import Municipality, Provider, Region
from programmes.selectors import region_programmes
from reporting.followup.selectors import completed_in, results_by

from . import ReportRefused, common_context, render_pdf
from .regional import (
    ComplianceLine,
    Group,
    _declare_compliance,
    _declare_group,
    _group,
    _show_compliance,
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


def _placed(region_ids, terms, data_date: date):
    """The enrolments in which managers took part, of every region at once, each under
    `place`, the municipality where the manager was placed on the day (the fact of
    `enrolment.facts`, as the stored standing places each manager for the regional report):
    one scan for the nation instead of one a region."""
    municipalities = Municipality.objects.filter(region_id__in=region_ids).values("pk")
    return (
        Enrolment.objects.annotate(place=placed_municipality(on=data_date, prefix="participant__"))
        .filter(place__in=municipalities)
        .filter(
            took_part_q(on=data_date),
            offering__term_index__gte=terms[0].index,
            offering__term_index__lte=terms[-1].index,
        )
    )


def _by_provider(enrolments, data_date: date) -> list[Group]:
    """Participation per provider: the offering's own, else its programme's lead."""
    given_by = Coalesce(
        F("offering__provider_id"), F("offering__course__slot__programme__provider_id")
    )
    found = results_by(enrolments.annotate(given_by=given_by), "given_by", data_date)
    names = dict(Provider.objects.filter(pk__in=found).values_list("pk", "name"))
    return [
        _group(names[pk], row) for pk, row in sorted(found.items(), key=lambda item: names[item[0]])
    ]


def _compliance_lines(regions, data_date: date) -> list[ComplianceLine]:
    """Each region's compliance in one line: its municipalities with a mandate, summed.
    Counted for every region at once (`compliance_summary`, in the database)."""
    municipalities = Municipality.objects.filter(region__in=regions).order_by("name")
    lines = {r.pk: ComplianceLine(name=r.name, mandate=None, total=0, counts={}) for r in regions}
    for result in compliance_summary(municipalities, data_date):
        if not result.mandate:
            continue
        line = lines[result.municipality.region_id]
        line.mandate = (line.mandate or 0) + 1
        line.total += result.total
        for status, n in result.counts.items():
            line.counts[status] = line.counts.get(status, 0) + n
    return [lines[r.pk] for r in regions]


def _first_terms(regions, data_date: date):
    """The terms from the earliest programme's first term to the data date; regions whose
    programme starts after the day are left out."""
    programmes = region_programmes([r.pk for r in regions])
    kept, first = [], None
    for region in regions:
        try:
            terms = _terms(programmes.get(region.pk), data_date)
        except ReportRefused:
            continue
        kept.append(region)
        first = terms if first is None or terms[0] < first[0] else first
    return kept, first


def national_figures(*, data_date: date, region_ids=None) -> National:
    """The national follow-up for the regions (every region without `region_ids`)."""
    regions = Region.objects.order_by("name")
    if region_ids is not None:
        regions = regions.filter(pk__in=region_ids)
    regions, terms = _first_terms(list(regions), data_date)
    national = National(data_date=data_date)
    if not regions:
        national.total = Group(name=_("The nation"))
        return national
    enrolments = _placed([r.pk for r in regions], terms, data_date)
    firsts = list(
        enrolments.values("participant_id", "place").annotate(first=Min("offering__term_index"))
    )
    by_place = results_by(enrolments, "place", data_date)
    municipalities = Municipality.objects.filter(region__in=regions)
    completed = completed_in(municipalities, data_date, enrolments)
    region_of = dict(municipalities.values_list("pk", "region_id"))
    people: dict = {}
    for row in firsts:
        people.setdefault(region_of[row["place"]], set()).add(row["participant_id"])
    for region in regions:
        places = [pk for pk, owner in region_of.items() if owner == region.pk]
        rows = [_group("", by_place.get(pk, {})) for pk in places]
        national.regions.append(
            Group(
                name=region.name,
                participants=len(people.get(region.pk, ())),
                completed=sum(completed.get(pk, 0) for pk in places),
                passed=sum(g.passed for g in rows),
                failed=sum(g.failed for g in rows),
                credits=sum((g.credits for g in rows), Decimal("0")),
            )
        )
    national.compliance = _compliance_lines(regions, data_date)
    national.providers = _by_provider(enrolments, data_date)
    national.total = Group(
        name=_("The nation"),
        participants=sum(g.participants for g in national.regions),
        completed=sum(g.completed for g in national.regions),
        passed=sum(g.passed for g in national.regions),
        failed=sum(g.failed for g in national.regions),
        credits=sum((g.credits for g in national.regions), Decimal("0")),
    )
    national.first_term, national.last_term = str(terms[0]), str(terms[-1])
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
            _show_compliance(p, line)


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
