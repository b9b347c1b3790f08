"""Which mandate applies to a manager, and the deadlines it sets them.

A mandate takes effect from a date; a later version of a municipality's mandate replaces
the earlier one from its own date. The deadlines run from the later of the manager's
appointment and the mandate's effective date; managers already in post when it took
effect may instead have a fixed completion date.

Deadline decisions for one manager, as known on the day asked for, then move them: the
latest extension sets a deadline anew (start, completion or both), and the days of
pauses after it (or after the clock began), up to the day asked for and each day once,
push each deadline later by as many days. A pause covering the day shows as such.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import DateField, Func

from portal.daycache import kept

from . import facts
from .models import DeadlineDecision, Mandate, Participant


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class AddMonths(Func):
    """`add_months` in SQL: PostgreSQL's date plus an interval of months keeps the day or,
    past the month's end, takes its last day, as `add_months` does."""

    template = "(%(expressions)s + make_interval(months => %(months)d))::date"
    output_field = DateField()

    def __init__(self, day, months: int):
        super().__init__(day, months=int(months))


@dataclass(frozen=True)
class Deadlines:
    mandate: Mandate
    start_by: date | None
    complete_by: date | None
    paused: bool = False


def obligation_start(mandates) -> date | None:
    """The day a municipality's obligation began: its first mandate version."""
    return min((m.effective_from for m in mandates), default=None)


def mandate_in_force(mandates, on: date) -> Mandate | None:
    """The version in force on a day, from one municipality's mandates."""
    in_force = [m for m in mandates if m.effective_from <= on]
    return max(in_force, key=lambda m: m.effective_from) if in_force else None


def applies_to(mandate: Mandate, participant: Participant, administration_ids=None) -> bool:
    if mandate.positions and participant.position not in mandate.positions:
        return False
    if mandate.operational_areas and participant.operational_area not in mandate.operational_areas:
        return False
    if administration_ids is None:
        administration_ids = {a.pk for a in mandate.administrations.all()}
    return not administration_ids or participant.administration_id in administration_ids


def deadlines_for(
    mandate: Mandate,
    participant: Participant,
    arrived_on: date | None = None,
    obligation_from: date | None = None,
    decisions=(),
    on: date | None = None,
) -> Deadlines:
    """Deadlines run from the later of the appointment and the day the municipality's
    obligation began (its first mandate version: a new version changes the rules, it does
    not restart everyone's clock). A manager who moved here (`arrived_on`) keeps that
    clock, unless the mandate says the clock restarts on arrival."""
    obligation_from = obligation_from or mandate.effective_from
    appointed = participant.appointed_on or obligation_from
    arrival = arrived_on if mandate.clock_restarts_on_arrival else None
    runs_from = max(appointed, obligation_from, arrival or date.min)
    start_by = (
        add_months(runs_from, mandate.start_within_months)
        if mandate.start_within_months is not None
        else None
    )
    complete_by = (
        add_months(runs_from, mandate.complete_within_months)
        if mandate.complete_within_months is not None
        else None
    )
    in_post_before = appointed < obligation_from and (arrival is None or arrival < obligation_from)
    if mandate.fixed_completion_date and in_post_before:
        complete_by = mandate.fixed_completion_date
    if on is None:
        return Deadlines(mandate=mandate, start_by=start_by, complete_by=complete_by)
    known = facts.decisions_known(decisions, on=on)
    return Deadlines(
        mandate=mandate,
        start_by=decided_deadline(start_by, "new_start_by", known, runs_from, on),
        complete_by=decided_deadline(complete_by, "new_complete_by", known, runs_from, on),
        paused=facts.is_paused(known, on=on),
    )


def decided_deadline(deadline, field: str, known, runs_from: date, on: date) -> date | None:
    """A deadline after the decisions known on the day: the latest extension that sets it
    replaces it, and the paused days after that decision (or after the clock began) move
    it."""
    counted_after = runs_from - timedelta(days=1)
    for decision in known:
        if getattr(decision, field) is not None:
            deadline, counted_after = getattr(decision, field), decision.decided_on
    if deadline is None:
        return None
    return deadline + timedelta(days=facts.paused_days(known, after=counted_after, on=on))


def mandates_of(municipality_id: int) -> list[Mandate]:
    """Every version of a municipality's mandate, with the administrations it names."""
    return kept(
        "mandates",
        (municipality_id,),
        lambda: list(
            Mandate.objects.filter(municipality_id=municipality_id).prefetch_related(
                "administrations"
            )
        ),
    )


def deadlines_of(
    participant: Participant, on: date, decisions=None, mandates=None
) -> Deadlines | None:
    """The deadlines a manager's municipality's mandate in force sets them, if any, after
    their deadline decisions (or after `decisions`, e.g. none for the mandate's own);
    `mandates`: the municipality's, already read by `mandates_of`."""
    if mandates is None:
        mandates = mandates_of(participant.municipality_id)
    mandate = mandate_in_force(mandates, on)
    if mandate is None or not applies_to(mandate, participant):
        return None
    return deadlines_for(
        mandate,
        participant,
        arrived_on=participant.in_municipality_since,
        obligation_from=obligation_start(mandates),
        decisions=(
            DeadlineDecision.objects.filter(participant=participant)
            if decisions is None
            else decisions
        ),
        on=on,
    )
