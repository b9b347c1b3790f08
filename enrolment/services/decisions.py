"""Recording deadline decisions (anstånd): an extension or a pause for one manager, or
the same pause for several at once.

The rule that turns decisions into deadlines is `enrolment.mandates.deadlines_for`; here
only what may be recorded: a pause that ends on or after its first day, an extension no
earlier than the deadline it replaces, and an extension beyond the mandate's limit only
by the region's programme administrator.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import Role
from portal.accounts.scope import reach

from ..mandates import add_months, deadlines_of
from ..models import DeadlineDecision, DeadlineDecisionKind, Participant
from ..selectors import participants_editable_by

EXTENSION_FIELDS = (("new_start_by", "start_by"), ("new_complete_by", "complete_by"))


def _pause_problems(paused_from, paused_to) -> dict:
    if paused_from is None or paused_to is None:
        return {"paused_from": _("Give the first and the last day of the pause.")}
    if paused_to < paused_from:
        return {"paused_to": _("The pause cannot end before it starts.")}
    return {}


def _may_exceed_limit(user, participant: Participant) -> bool:
    regions = reach(user, frozenset({Role.PROGRAMME_ADMIN})).region_ids
    return participant.municipality.region_id in regions


def _beyond_limit(new: date, mandates: date | None, limit: int | None) -> bool:
    return limit is not None and mandates is not None and new > add_months(mandates, limit)


def _extension_problems(*, user, participant, decided_on, new_dates: dict) -> dict:
    if not any(new_dates.values()):
        return {"new_complete_by": _("Give a new start deadline, completion deadline or both.")}
    current = deadlines_of(participant, decided_on)
    if current is None:
        return {"new_complete_by": _("No mandate sets deadlines for this manager.")}
    base = deadlines_of(participant, decided_on, decisions=())
    limit = current.mandate.extension_limit_months
    problems = {}
    for field, deadline in EXTENSION_FIELDS:
        new, now = new_dates.get(field), getattr(current, deadline)
        if new is None or now is None:
            continue
        if new < now:
            problems[field] = _("The new deadline is earlier than the current one (%(date)s).") % {
                "date": now.isoformat()
            }
        elif _beyond_limit(new, getattr(base, deadline), limit) and not _may_exceed_limit(
            user, participant
        ):
            problems[field] = _(
                "An extension of more than %(months)s months in all needs the "
                "programme administrator."
            ) % {"months": limit}
    return problems


def deadline_decision_problems(*, user, participant, kind, decided_on, **dates) -> dict:
    """What is wrong with a decision, field by field, in words for the user."""
    if decided_on is None or decided_on > timezone.localdate():
        return {"decided_on": _("The decision date cannot be in the future.")}
    if kind == DeadlineDecisionKind.PAUSE:
        return _pause_problems(dates.get("paused_from"), dates.get("paused_to"))
    new_dates = {field: dates.get(field) for field, _deadline in EXTENSION_FIELDS}
    return _extension_problems(
        user=user, participant=participant, decided_on=decided_on, new_dates=new_dates
    )


def deadline_decision_record(
    *,
    user,
    participant: Participant,
    kind: str,
    reason: str,
    decided_on: date,
    note: str = "",
    **dates,
) -> DeadlineDecision:
    problems = deadline_decision_problems(
        user=user, participant=participant, kind=kind, decided_on=decided_on, **dates
    )
    if problems:
        raise ValidationError(problems)
    pause = kind == DeadlineDecisionKind.PAUSE
    fields = ("paused_from", "paused_to") if pause else ("new_start_by", "new_complete_by")
    with transaction.atomic():
        decision = DeadlineDecision.objects.create(
            participant=participant,
            kind=kind,
            reason=reason,
            note=note,
            decided_on=decided_on,
            decided_by=user,
            **{name: dates.get(name) for name in fields},
        )
        if not participants_editable_by(user).filter(pk=participant.pk).exists():
            raise Http404
    return decision


def deadline_pauses_record(
    *, user, participants, reason: str, decided_on: date, paused_from, paused_to, note=""
) -> list[DeadlineDecision]:
    """The same pause for several managers (an administration under reorganisation),
    all or none."""
    with transaction.atomic():
        return [
            deadline_decision_record(
                user=user,
                participant=participant,
                kind=DeadlineDecisionKind.PAUSE,
                reason=reason,
                decided_on=decided_on,
                note=note,
                paused_from=paused_from,
                paused_to=paused_to,
            )
            for participant in participants
        ]
