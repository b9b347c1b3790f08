"""The start pages' table of managers per municipality, as its viewer may see it."""

from dataclasses import dataclass

from portal.disclosure import Disclosure

COLUMNS = ("managers", "started", "completed")


@dataclass
class OverviewLine:
    label: str
    managers: object
    started: object
    completed: object
    share: str


@dataclass
class OverviewTable:
    rows: list[OverviewLine]
    total: OverviewLine


def overview_table(rows, *, exact: bool, total_label: str) -> OverviewTable:
    """Counts per municipality with the region's total; for a viewer without person-level
    rights (`exact` false), small groups and everything that would give them away are
    hidden, and a share is shown only beside both its counts."""
    disclosure = Disclosure(exact=exact)
    for column in COLUMNS:
        parts = [
            disclosure.figure((row.municipality.pk, column), getattr(row, column)) for row in rows
        ]
        disclosure.total(disclosure.figure(("total", column), sum(_values(rows, column))), parts)
    protected = disclosure.protect()

    def line(key, label):
        shown = {c: protected.shown((key, c)) for c in COLUMNS}
        return OverviewLine(
            label=label, share=protected.share((key, "completed"), (key, "managers")), **shown
        )

    lines = [line(row.municipality.pk, row.municipality.name) for row in rows]
    return OverviewTable(rows=lines, total=line("total", total_label))


def _values(rows, column):
    return (getattr(row, column) for row in rows)
