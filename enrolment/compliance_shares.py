"""Compliance per municipality as shares, as a viewer of a whole region may see them."""

from dataclasses import dataclass
from functools import partial

from django.template.loader import render_to_string

from portal.daycache import day_figures
from portal.disclosure import NO_FIGURE, Disclosure

from .compliance import MunicipalityCompliance, Status, region_compliance_summary


@dataclass
class ComplianceLine:
    result: MunicipalityCompliance
    total: object
    shares: list[tuple[str, str]]


def compliance_lines(results: list[MunicipalityCompliance], *, exact: bool):
    """Each municipality's statuses as shares of the managers in scope. For a viewer
    without person-level rights, a status of one to four managers is hidden, and so is
    whatever would give it away: the other statuses add up to the whole."""
    disclosure = Disclosure(exact=exact)
    for result in results:
        if result.mandate is None:
            continue
        key = result.municipality.pk
        parts = [disclosure.figure((key, s), n) for s, n in result.counts.items()]
        disclosure.total(disclosure.figure((key, "total"), result.total), parts)
    protected = disclosure.protect()
    lines = []
    for result in results:
        key = result.municipality.pk
        if result.mandate is None:
            lines.append(ComplianceLine(result, NO_FIGURE, [(s, NO_FIGURE) for s in Status.ORDER]))
            continue
        shares = [(s, protected.share((key, s), (key, "total"))) for s in Status.ORDER]
        lines.append(ComplianceLine(result, protected.shown((key, "total")), shares))
    return lines


def _region_table(region, on, *, exact: bool) -> str:
    return render_to_string(
        "enrolment/compliance/_region_table.html",
        {
            "region": region,
            "statuses": [(s, Status.LABELS[s]) for s in Status.ORDER],
            "results": compliance_lines(
                region_compliance_summary(region=region, on=on), exact=exact
            ),
        },
    )


def region_compliance_section(region, on, *, exact: bool) -> str:
    """A region's compliance table, rendered: the same for every viewer with the same
    rights to the region (exact for its programme administrators), so kept for the day
    until a write, like the council's key figures."""
    return day_figures(
        f"compliance-region-{'exact' if exact else 'disclosed'}",
        region,
        on,
        partial(_region_table, region, on, exact=exact),
    )
