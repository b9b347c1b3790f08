"""Nomination, admission, the waitlist and results: the life of an enrolment.

Seats are never oversold: admission locks the offering's row (`select_for_update`), so
concurrent admissions to one offering queue behind each other; whoever finds no free seat
goes to the waitlist, in the order the locks were granted.
"""

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programmes.models import CourseOffering, OfferingState, ProgrammeSlot
from programmes.selectors import offered_to_q

from .. import facts
from ..facts import SEAT_TAKEN_STATES
from ..models import ACTIVE_STATES, Enrolment, EnrolmentEvent, EnrolmentState, Grade, Participant
from ..progress import Progress, SlotStatus, progress_of
from ..signals import result_changed

S = EnrolmentState

STARTED_OFFERING_STATES = (OfferingState.RUNNING, OfferingState.FINISHED)

# States that hold a seat on the offering.
SEAT_STATES = SEAT_TAKEN_STATES

# Which state may follow which. Results may be corrected (failed → passed after a
# re-examination, passed → passed with another grade).
TRANSITIONS = {
    S.NOMINATED: {S.ADMITTED, S.WAITLISTED, S.WITHDRAWN, S.DEFERRED},
    S.WAITLISTED: {S.ADMITTED, S.WITHDRAWN, S.DEFERRED},
    S.ADMITTED: {S.REGISTERED, S.WITHDRAWN, S.DEFERRED},
    S.REGISTERED: {S.PASSED, S.FAILED, S.WITHDRAWN, S.DEFERRED},
    S.FAILED: {S.PASSED, S.FAILED},
    S.PASSED: {S.PASSED, S.FAILED},
    S.WITHDRAWN: set(),
    S.DEFERRED: set(),
}


def _record(enrolment, from_state, actor, note=""):
    EnrolmentEvent.objects.create(
        enrolment=enrolment,
        from_state=from_state or "",
        to_state=enrolment.state,
        actor=actor if getattr(actor, "pk", None) else None,
        at=timezone.now(),
        note=note[:300],
    )


def _move(enrolment, to_state, actor, note="", **fields):
    if to_state not in TRANSITIONS[enrolment.state]:
        raise ValidationError(
            _("An enrolment that is %(state)s cannot become %(new)s.")
            % {"state": enrolment.get_state_display().lower(), "new": S(to_state).label.lower()},
            code="invalid_transition",
        )
    from_state = enrolment.state
    enrolment.state = to_state
    for name, value in fields.items():
        setattr(enrolment, name, value)
    enrolment.save()
    _record(enrolment, from_state, actor, note)
    return enrolment


@dataclass(frozen=True)
class PlanEntry:
    """One slot of a manager's plan: what fills it, or is planned for it, and when."""

    slot: ProgrammeSlot
    course_title: str = ""
    term: str = ""
    term_index: int | None = None
    state: str = ""
    label: str = ""

    @property
    def is_open(self) -> bool:
        return not self.state


class PlanState:
    PASSED = "passed"
    CREDITED = "credited"
    PLANNED = "planned"


def nomination_plan(
    participant: Participant, progress: Progress | None = None, *, enrolments=None
) -> list[PlanEntry]:
    """The manager's plan slot by slot, in term order: the slots filled (with the term of
    the course passed), the slots under way (with the offering's term and the enrolment's
    state), then the open slots in the programme's order. The same plan the nomination
    rules read. `enrolments`: the manager's, already read with `offering__course`."""
    on = timezone.localdate()
    progress = progress if progress is not None else progress_of(participant, on)
    if enrolments is None:
        enrolments = Enrolment.objects.filter(participant=participant, state=S.PASSED)
        enrolments = enrolments.select_related("offering__course")
    passes = {}
    for enrolment in sorted(enrolments, key=lambda e: (e.offering.term_index, e.pk)):
        if facts.is_passed(enrolment, on=on):
            passes.setdefault(enrolment.slot_id, enrolment)
    entries = []
    for sp in progress.slots:
        passed = passes.get(sp.slot.pk)
        if sp.status == SlotStatus.PASSED and passed is not None:
            offering = passed.offering
            entry = PlanEntry(
                sp.slot,
                sp.course_title,
                offering.term,
                offering.term_index,
                PlanState.PASSED,
                str(sp.label),
            )
        elif sp.is_filled:
            entry = PlanEntry(sp.slot, sp.course_title, "", None, PlanState.CREDITED, str(sp.label))
        elif sp.current is not None:
            offering = sp.current.offering
            entry = PlanEntry(
                sp.slot,
                offering.course.title,
                offering.term,
                offering.term_index,
                PlanState.PLANNED,
                sp.current.get_state_display(),
            )
        else:
            entry = PlanEntry(sp.slot)
        entries.append(entry)
    return sorted(
        entries,
        key=lambda e: (
            e.is_open,
            e.term_index if e.term_index is not None else -1,
            e.slot.position,
        ),
    )


@dataclass(frozen=True)
class NominationWarning:
    """A nomination the programme advises against, which HR may still confirm: `code`
    names the rule, so that a confirmation covers exactly the warnings that were shown."""

    code: str
    message: str


SAME_TERM = "same_term"
ORDER = "order"
WARNING_CODES = (SAME_TERM, ORDER)


@dataclass
class NominationCheck:
    refusal: str | None = None
    warnings: list[NominationWarning] = field(default_factory=list)


class NominationNeedsConfirmation(ValidationError):
    """The nomination breaks none of the programme's rules but goes against its advice:
    it is made only when the caller confirms every warning."""

    def __init__(self, warnings: list[NominationWarning]):
        super().__init__([w.message for w in warnings], code="needs_confirmation")
        self.warnings = warnings


def _refusal(participant, offering, progress) -> str | None:
    """Why a participant cannot be nominated to an offering, in words, or None: the
    offering is not open, the manager has left or belongs to another region, or the
    course's slot is already taken or filled (the slot's other alternative included)."""
    if offering.state != OfferingState.OPEN:
        return _("The offering is not open for nomination.")
    if facts.has_left(participant, on=timezone.localdate()):
        return _("%(name)s has left the manager role.") % {"name": participant.full_name}
    # The programme the region follows, and a provider it allows for the municipality.
    offered = CourseOffering.objects.filter(offered_to_q(participant.municipality), pk=offering.pk)
    if not offered.exists():
        return _("The offering is not given to the manager's municipality.")
    slot_id = offering.course.slot_id
    active = (
        Enrolment.objects.filter(participant=participant, slot_id=slot_id, state__in=ACTIVE_STATES)
        .select_related("offering__course")
        .first()
    )
    if active and active.offering.course_id != offering.course_id:
        return _(
            "%(name)s already has %(course)s (%(term)s) in course %(position)s; its two "
            "alternatives fill the same place, so only one of them can be taken."
        ) % {
            "name": participant.full_name,
            "course": active.offering.course.title,
            "term": active.offering.term,
            "position": offering.course.slot.position,
        }
    if active:
        return _(
            "%(name)s already has an enrolment in this course slot (%(course)s, %(term)s)."
        ) % {
            "name": participant.full_name,
            "course": active.offering.course.title,
            "term": active.offering.term,
        }
    filled = next((s for s in progress.slots if s.slot.pk == slot_id and s.is_filled), None)
    if filled:
        return _("%(name)s has already completed course %(position)s (%(how)s).") % {
            "name": participant.full_name,
            "position": filled.slot.position,
            "how": filled.label.lower(),
        }
    return None


def _warnings(participant, offering, plan: list[PlanEntry]) -> list[NominationWarning]:
    """Two courses in one term (the programme is studied at one 25 % course a term), and
    a course taken before an earlier one of the programme's recommended order that is
    neither done nor planned by the same term."""
    warnings = []
    same_term = [e for e in plan if e.term_index == offering.term_index]
    if same_term:
        warnings.append(
            NominationWarning(
                SAME_TERM,
                _(
                    "%(name)s already has %(course)s in %(term)s: two courses in one term "
                    "doubles the pace of study."
                )
                % {
                    "name": participant.full_name,
                    "course": ", ".join(e.course_title for e in same_term),
                    "term": offering.term,
                },
            )
        )
    position = offering.course.slot.position
    missing = [
        e.slot.position
        for e in plan
        if e.slot.position < position
        and e.state not in (PlanState.PASSED, PlanState.CREDITED)
        and (e.term_index is None or e.term_index > offering.term_index)
    ]
    if missing:
        earlier = ", ".join(str(p) for p in sorted(missing))
        warnings.append(
            NominationWarning(
                ORDER,
                ngettext(
                    "The programme's recommended order puts course %(earlier)s before "
                    "course %(position)s, and %(name)s has neither done it nor planned it "
                    "by %(term)s.",
                    "The programme's recommended order puts courses %(earlier)s before "
                    "course %(position)s, and %(name)s has neither done them nor planned "
                    "them by %(term)s.",
                    len(missing),
                )
                % {
                    "earlier": earlier,
                    "position": position,
                    "name": participant.full_name,
                    "term": offering.term,
                },
            )
        )
    return warnings


def nomination_check(participant: Participant, offering: CourseOffering) -> NominationCheck:
    """The programme's rules for one nomination: a refusal, or the warnings HR must
    confirm. Every way of nominating (the manager's page, the list, compliance, a
    manager's request) goes through `enrolment_nominate`, which asks here."""
    progress = progress_of(participant)
    refusal = _refusal(participant, offering, progress)
    if refusal:
        return NominationCheck(refusal=refusal)
    return NominationCheck(
        warnings=_warnings(participant, offering, nomination_plan(participant, progress))
    )


def nomination_problem(participant: Participant, offering: CourseOffering) -> str | None:
    """Why a participant cannot be nominated to an offering, in words, or None."""
    return _refusal(participant, offering, progress_of(participant))


def enrolment_nominate(
    *,
    participant: Participant,
    offering: CourseOffering,
    actor,
    note: str = "",
    confirmed: Collection[str] = (),
) -> Enrolment:
    """Nominate a manager. A refusal raises ValidationError; warnings not in `confirmed`
    (their codes) raise NominationNeedsConfirmation and nothing is saved. Confirmed
    warnings are written in the enrolment's history."""
    check = nomination_check(participant, offering)
    if check.refusal:
        raise ValidationError(check.refusal, code="cannot_nominate")
    unconfirmed = [w for w in check.warnings if w.code not in confirmed]
    if unconfirmed:
        raise NominationNeedsConfirmation(check.warnings)
    if check.warnings:
        confirmed_note = _("Nominated despite: %(warnings)s") % {
            "warnings": " ".join(w.message for w in check.warnings)
        }
        note = f"{note} {confirmed_note}".strip()
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                participant=participant,
                offering=offering,
                slot_id=offering.course.slot_id,
                state=S.NOMINATED,
            )
            _record(enrolment, "", actor, note)
    except IntegrityError as exc:
        # Another nomination in the same slot got there first.
        raise ValidationError(
            _("%(name)s already has an enrolment in this course slot.")
            % {"name": participant.full_name},
            code="cannot_nominate",
        ) from exc
    return enrolment


@dataclass
class BulkNomination:
    nominated: list[Enrolment] = field(default_factory=list)
    refused: list[tuple[Participant, str]] = field(default_factory=list)
    # Not nominated until confirmed: each with the warnings to confirm.
    warned: list[tuple[Participant, list[NominationWarning]]] = field(default_factory=list)

    @property
    def warning_codes(self) -> list[str]:
        return sorted({w.code for _p, warnings in self.warned for w in warnings})


def enrolments_nominate(
    *, participants, offering: CourseOffering, actor, confirmed: Collection[str] = ()
) -> BulkNomination:
    """Nominate several managers at once; those who cannot be are listed with the reason,
    those with warnings not confirmed with the warnings."""
    result = BulkNomination()
    for participant in participants:
        try:
            result.nominated.append(
                enrolment_nominate(
                    participant=participant, offering=offering, actor=actor, confirmed=confirmed
                )
            )
        except NominationNeedsConfirmation as exc:
            result.warned.append((participant, exc.warnings))
        except ValidationError as exc:
            result.refused.append((participant, exc.messages[0]))
    return result


def seats_taken(offering) -> int:
    return offering.enrolments.filter(state__in=SEAT_STATES).count()


def enrolment_admit(*, enrolment: Enrolment, actor, note: str = "") -> Enrolment:
    """Admit to a free seat, or put on the waitlist when the offering is full."""
    with transaction.atomic():
        offering = CourseOffering.objects.select_for_update().get(pk=enrolment.offering_id)
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.state not in (S.NOMINATED, S.WAITLISTED):
            raise ValidationError(
                _("Only nominated or waitlisted enrolments can be admitted."),
                code="invalid_transition",
            )
        if seats_taken(offering) < offering.seats:
            return _move(enrolment, S.ADMITTED, actor, note, waitlist_position=None)
        if enrolment.state == S.WAITLISTED:
            raise ValidationError(
                _("No seat is free on this offering; the enrolment stays on the waitlist."),
                code="full",
            )
        return _waitlist(offering, enrolment, actor, note or _("The offering is full."))


def _waitlist(offering, enrolment, actor, note):
    last = offering.enrolments.filter(state=S.WAITLISTED).aggregate(m=Max("waitlist_position"))
    return _move(enrolment, S.WAITLISTED, actor, note, waitlist_position=(last["m"] or 0) + 1)


def enrolment_waitlist(*, enrolment: Enrolment, actor, note: str = "") -> Enrolment:
    with transaction.atomic():
        offering = CourseOffering.objects.select_for_update().get(pk=enrolment.offering_id)
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        return _waitlist(offering, enrolment, actor, note)


def enrolment_register(*, enrolment: Enrolment, actor, note: str = "") -> Enrolment:
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        return _move(enrolment, S.REGISTERED, actor, note)


def _leave(enrolment, to_state, actor, note):
    with transaction.atomic():
        offering = CourseOffering.objects.select_for_update().get(pk=enrolment.offering_id)
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        held_seat = enrolment.state in SEAT_STATES
        _move(enrolment, to_state, actor, note, waitlist_position=None)
        if held_seat:
            offering_fill_from_waitlist(offering=offering, actor=actor)
        return enrolment


def enrolment_withdraw(*, enrolment: Enrolment, actor, note: str = "") -> Enrolment:
    return _leave(enrolment, S.WITHDRAWN, actor, note)


def enrolment_defer(*, enrolment: Enrolment, actor, note: str = "") -> Enrolment:
    return _leave(enrolment, S.DEFERRED, actor, note)


def has_started(offering: CourseOffering, *, on: date) -> bool:
    return offering.start_date <= on or offering.state in STARTED_OFFERING_STATES


def offering_fill_from_waitlist(*, offering: CourseOffering, actor) -> list[Enrolment]:
    """Give free seats to the waitlist in order, until the offering starts: a seat freed
    after that admits nobody. Call with the offering's row locked."""
    admitted = []
    free = offering.seats - seats_taken(offering)
    if free <= 0 or has_started(offering, on=timezone.localdate()):
        return admitted
    waiting = offering.enrolments.filter(state=S.WAITLISTED).order_by("waitlist_position", "id")
    for enrolment in waiting[:free]:
        admitted.append(
            _move(enrolment, S.ADMITTED, actor, _("A seat became free."), waitlist_position=None)
        )
    return admitted


def offering_close_waiting(*, offering: CourseOffering, actor) -> list[Enrolment]:
    """An offering that has started takes no one more: its nominations and waitlist are
    withdrawn, each with a note, and count nowhere after that."""
    closed = []
    with transaction.atomic():
        CourseOffering.objects.select_for_update().get(pk=offering.pk)
        waiting = Enrolment.objects.select_for_update().filter(
            offering_id=offering.pk, state__in=facts.WAITING_STATES
        )
        for enrolment in waiting.order_by("waitlist_position", "id"):
            note = _("The offering started before a seat was given.")
            closed.append(_move(enrolment, S.WITHDRAWN, actor, note, waitlist_position=None))
    return closed


def offerings_close_started(*, on: date, actor=None) -> int:
    """Close the nominations and waitlists of every offering that has started by the day."""
    started = CourseOffering.objects.filter(
        Q(start_date__lte=on) | Q(state__in=STARTED_OFFERING_STATES),
        enrolments__state__in=facts.WAITING_STATES,
    ).distinct()
    return sum(len(offering_close_waiting(offering=o, actor=actor)) for o in started)


def result_problem(enrolment: Enrolment, grade: str, credits, result_date) -> dict[str, str]:
    """Field errors for one result, in words; empty when the result can be saved."""
    errors = {}
    if grade not in Grade.values:
        errors["grade"] = _("Choose U, G or VG.")
    course_credits = enrolment.offering.course.credits
    if credits is None:
        if grade in (Grade.PASS, Grade.PASS_WITH_DISTINCTION):
            errors["credits"] = _("Enter the credits awarded.")
    elif credits < 0 or credits > course_credits:
        errors["credits"] = _("Credits must be between 0 and %(max)s hp.") % {
            "max": f"{course_credits:g}".replace(".", ",")
        }
    if result_date is None:
        errors["result_date"] = _("Enter the result date.")
    elif result_date < enrolment.offering.start_date or result_date > timezone.localdate():
        errors["result_date"] = _(
            "The result date must fall between the course start (%(start)s) and today."
        ) % {"start": enrolment.offering.start_date.isoformat()}
    if enrolment.state not in (S.REGISTERED, S.PASSED, S.FAILED):
        errors["grade"] = _("Only registered participants can be given a result.")
    return errors


def enrolment_record_result(
    *, enrolment: Enrolment, grade: str, credits: Decimal | None, result_date: date, actor
) -> Enrolment:
    errors = result_problem(enrolment, grade, credits, result_date)
    if errors:
        raise ValidationError(errors)
    passed = grade in (Grade.PASS, Grade.PASS_WITH_DISTINCTION)
    with transaction.atomic():
        locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        was_passed = locked.state == S.PASSED
        locked = _move(
            locked,
            S.PASSED if passed else S.FAILED,
            actor,
            f"{grade} {credits or 0:g} hp {result_date.isoformat()}",
            grade=grade,
            credits=credits if passed else (credits or Decimal("0")),
            result_date=result_date,
        )
        if was_passed:
            result_changed.send(
                sender=Enrolment,
                participant=locked.participant,
                reason=_("The result of %(course)s was changed to %(grade)s on %(date)s.")
                % {
                    "course": enrolment.offering.course.title,
                    "grade": grade,
                    "date": timezone.localdate().isoformat(),
                },
            )
        return locked
