"""Compliance per municipality as shares, as a viewer of a whole region may see them."""

from dataclasses import dataclass

from portal.disclosure import NO_FIGURE, Disclosure

from .compliance import MunicipalityCompliance, Status


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
