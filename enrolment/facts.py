"""The facts about a manager, each written once, as a function of the day it is asked for.

Every fact has a Python form, over rows already read, and a set-based form (a `Q` for a
filter or an `Exists`), built from the same constants. Progress, compliance, the list,
the start pages, intake planning, the key figures, the reports and the certificates all
ask here; `tests/enrolment/test_facts_properties.py` generates histories and dates and
shows that both forms agree.

- *In post on D*: appointed on or before D (or no appointment recorded) and not yet left:
  a leaving date is the first day out of the role, so a future one keeps the manager in
  post until then.
- *Holds a seat*: admitted or registered on an offering.
- *Placed on D*: the post held that day: the current one from the day the manager
  arrived in its municipality, before that the previous post that covers the day.
- *Has begun on D*: holds (or held, and passed on) a seat on an offering that has started
  by D. Nominated and waitlisted managers have not begun, nor has one who only failed or
  withdrew, nor one whose slots were only credited: a decision is not a start.
- *Under way on D*: an enrolment that still leads somewhere: a seat, a pass not yet dated
  by D, or a nomination or waitlist place on an offering that has not started by D. A
  nomination left on an offering that has started no longer counts anywhere.
- *Slot filled on D*: a pass dated by D (an undated pass counts) or a credit transfer for
  the slot decided by D; its date is the first of them.
- *Exempt on D*: a decision for the whole programme by D, for a manager whose slots are
  not all filled: an exemption never erases a completion.
- *Completed on D*: every slot filled, by courses, slot decisions or, for the slots left,
  the whole-programme decision; the date is the last slot's first date.
- *Paused on D*: a deadline decision pausing the clock, decided by D, whose days cover D.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import (
    BigIntegerField,
    Case,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce

from .models import (
    CreditTransfer,
    DeadlineDecision,
    DeadlineDecisionKind,
    Enrolment,
    EnrolmentState,
    Participant,
    PreviousPost,
)

S = EnrolmentState

SEAT_STATES = (S.ADMITTED, S.REGISTERED)
WAITING_STATES = (S.NOMINATED, S.WAITLISTED)
# A seat taken at some point: what the seat count of an offering is made of.
SEAT_TAKEN_STATES = (S.ADMITTED, S.REGISTERED, S.PASSED, S.FAILED)
# Whose enrolments begin the programme once the offering has started.
BEGINNING_STATES = (S.ADMITTED, S.REGISTERED, S.PASSED)
# Every state an enrolment can count in: passed or under way.
COUNTING_STATES = (S.PASSED, *SEAT_STATES, *WAITING_STATES)
# Whose enrolments took the course once the offering has started: who may evaluate it,
# and whom the council counts as having taken part.
TOOK_COURSE_STATES = (S.REGISTERED, S.PASSED, S.FAILED)


# --- In post --------------------------------------------------------------------------


def in_post(participant: Participant, *, on: date) -> bool:
    appointed = participant.appointed_on is None or participant.appointed_on <= on
    return appointed and not has_left(participant, on=on)


def in_post_q(*, on: date, prefix: str = "") -> Q:
    return (
        Q(**{f"{prefix}appointed_on__isnull": True}) | Q(**{f"{prefix}appointed_on__lte": on})
    ) & ~left_q(on=on, prefix=prefix)


def has_left(participant: Participant, *, on: date) -> bool:
    return participant.left_on is not None and participant.left_on <= on


def left_q(*, on: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}left_on__isnull": False, f"{prefix}left_on__lte": on})


# --- Where: the post held on a day --------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """The post a manager held on a day, and the day they arrived in its municipality
    (None: there from the appointment)."""

    municipality_id: int
    administration_id: int | None
    position: str
    arrived_on: date | None
    previous: PreviousPost | None = None


def placement(participant: Participant, previous_posts, *, on: date) -> Placement | None:
    """Where a manager was on a day: the current post from its first day, before that the
    previous post that covers the day, or None (not yet in any recorded post)."""
    since = participant.in_municipality_since
    if since is None or since <= on:
        return Placement(
            participant.municipality_id, participant.administration_id, participant.position, since
        )
    for post in previous_posts:
        if (post.valid_from is None or post.valid_from <= on) and on < post.valid_to:
            return Placement(
                post.municipality_id, post.administration_id, post.position, post.valid_from, post
            )
    return None


def _current_post_q(*, on: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}in_municipality_since__isnull": True}) | Q(
        **{f"{prefix}in_municipality_since__lte": on}
    )


def _earlier_posts(*, on: date, prefix: str = ""):
    """The previous posts that cover the day, for the manager at `prefix` (an OuterRef)."""
    return PreviousPost.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=on),
        participant_id=OuterRef(f"{prefix}pk"),
        valid_to__gt=on,
    )


def placed_q(*, on: date, municipality_ids) -> Q:
    """Managers whose post on the day was in one of the municipalities."""
    current = Q(municipality_id__in=municipality_ids) & _current_post_q(on=on)
    earlier = _earlier_posts(on=on).filter(municipality_id__in=municipality_ids)
    return current | (~_current_post_q(on=on) & Q(Exists(earlier)))


def placed_municipality(*, on: date, prefix: str = ""):
    """The municipality of the post held on the day, as an annotation (NULL: not yet in
    any recorded post); `prefix` reaches the manager from another model."""
    return Case(
        When(_current_post_q(on=on, prefix=prefix), then=F(f"{prefix}municipality_id")),
        default=Subquery(_earlier_posts(on=on, prefix=prefix).values("municipality_id")[:1]),
        output_field=BigIntegerField(),
    )


# --- Enrolments -----------------------------------------------------------------------


def holds_seat(enrolment: Enrolment) -> bool:
    return enrolment.state in SEAT_STATES


def seat_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}state__in": SEAT_STATES})


def result_known(enrolment: Enrolment, *, on: date) -> bool:
    """The enrolment's result is dated by the day (an undated result counts)."""
    return enrolment.result_date is None or enrolment.result_date <= on


def result_known_q(*, on: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}result_date__isnull": True}) | Q(**{f"{prefix}result_date__lte": on})


def is_passed(enrolment: Enrolment, *, on: date) -> bool:
    return enrolment.state == S.PASSED and result_known(enrolment, on=on)


def passed_q(*, on: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}state": S.PASSED}) & result_known_q(on=on, prefix=prefix)


def took_part(enrolment: Enrolment, *, on: date) -> bool:
    """The manager took the course by the day: registered, passed or failed on an offering
    that has started."""
    return enrolment.state in TOOK_COURSE_STATES and enrolment.offering.start_date <= on


def took_part_q(*, on: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}state__in": TOOK_COURSE_STATES, f"{prefix}offering__start_date__lte": on})


# A pass gives the hp recorded on it, else the course's.
HP_OF_PASS = Coalesce(
    "credits",
    "offering__course__credits",
    output_field=DecimalField(max_digits=8, decimal_places=1),
)


def begins(enrolment: Enrolment, *, on: date) -> bool:
    """The enrolment has begun the programme by the day."""
    return enrolment.state in BEGINNING_STATES and enrolment.offering.start_date <= on


def begins_q(*, on: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}state__in": BEGINNING_STATES, f"{prefix}offering__start_date__lte": on})


def is_under_way(enrolment: Enrolment, *, on: date) -> bool:
    if enrolment.state in WAITING_STATES:
        return enrolment.offering.start_date > on
    return enrolment.state in SEAT_STATES or (
        enrolment.state == S.PASSED and not is_passed(enrolment, on=on)
    )


def under_way_q(*, on: date, prefix: str = "") -> Q:
    return (
        seat_q(prefix)
        | (Q(**{f"{prefix}state": S.PASSED}) & ~passed_q(on=on, prefix=prefix))
        | Q(**{f"{prefix}state__in": WAITING_STATES, f"{prefix}offering__start_date__gt": on})
    )


# --- Credit between programmes ----------------------------------------------------------


def counting_slot(enrolment: Enrolment, slot_ids, equivalences: dict, *, on: date) -> int | None:
    """The slot of the manager's programme an enrolment counts in: its own, when it is one
    of the programme's (`slot_ids`); for a course passed by the day under another
    programme (a manager who moved), the slot the programme's equivalence table
    (`equivalences`, course id to slot id) gives; else None. Only passes move across."""
    if enrolment.slot_id in slot_ids:
        return enrolment.slot_id
    if is_passed(enrolment, on=on):
        return equivalences.get(enrolment.offering.course_id)
    return None


def in_slot_q(slot, prefix: str = "") -> Q:
    """Enrolments that count in the slot (an OuterRef or id) when passed: its own, and
    courses of other programmes that the slot's programme holds equivalent."""
    return Q(**{f"{prefix}slot_id": slot}) | Q(
        **{f"{prefix}offering__course__equivalences__slot_id": slot}
    )


# --- Decisions ------------------------------------------------------------------------


def is_decided(transfer: CreditTransfer, *, on: date) -> bool:
    return transfer.decided_on <= on


def decided_q(*, on: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}decided_on__lte": on})


def whole_programme_decided(transfers, programme_id: int, *, on: date):
    """The decision for the whole programme in force on the day, or None."""
    return next(
        (
            t
            for t in transfers
            if t.slot_id is None and t.programme_id == programme_id and is_decided(t, on=on)
        ),
        None,
    )


# --- Deadline decisions -----------------------------------------------------------------


def decisions_known(decisions, *, on: date) -> list[DeadlineDecision]:
    """The deadline decisions taken by the day, oldest first."""
    return sorted((d for d in decisions if d.decided_on <= on), key=lambda d: (d.decided_on, d.pk))


def is_paused(decisions, *, on: date) -> bool:
    return any(
        d.is_pause and d.paused_from <= on <= d.paused_to for d in decisions_known(decisions, on=on)
    )


def paused_q(*, on: date) -> Q:
    return Q(kind=DeadlineDecisionKind.PAUSE, decided_on__lte=on, paused_from__lte=on) & Q(
        paused_to__gte=on
    )


def paused_exists(*, on: date, participant=None) -> Q:
    """Paused on the day, for a queryset of managers (`participant` as an OuterRef)."""
    participant = participant if participant is not None else OuterRef("pk")
    return Q(Exists(DeadlineDecision.objects.filter(paused_q(on=on), participant_id=participant)))


def paused_days(decisions, *, after: date, on: date) -> int:
    """The days of the pauses known on the day that fall after `after` and by `on`,
    each day counted once however many pauses cover it."""
    spans = sorted(
        (max(d.paused_from, after + timedelta(days=1)), min(d.paused_to, on))
        for d in decisions_known(decisions, on=on)
        if d.is_pause
    )
    total, counted_to = 0, after
    for first, last in spans:
        first = max(first, counted_to + timedelta(days=1))
        if first <= last:
            total += (last - first).days + 1
            counted_to = last
    return total


# --- Facts over a manager, in SQL -----------------------------------------------------


def begun_exists(*, on: date, participant=None) -> Q:
    """Has begun on the day, for a queryset of managers (`participant` as an OuterRef)."""
    participant = participant if participant is not None else OuterRef("pk")
    return Q(Exists(Enrolment.objects.filter(begins_q(on=on), participant_id=participant)))


def under_way_exists(*, on: date, participant=None) -> Q:
    participant = participant if participant is not None else OuterRef("pk")
    return Q(Exists(Enrolment.objects.filter(under_way_q(on=on), participant_id=participant)))
