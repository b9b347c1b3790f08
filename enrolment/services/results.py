"""What the programme administrator decides about an offering: its seats, admission of its
enrolments, the results of a whole offering at once, and credit transfers.

Each write locks the rows it decides on, so that seats, the waitlist and the one credit
transfer per slot hold when several administrators work at the same time.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.models import DUPLICATE_OFFERING, CourseOffering, Programme, ProgrammeSlot

from ..models import CreditTransfer, Enrolment, EnrolmentState, Participant
from ..progress import progress_of
from .enrolments import (
    TRANSITIONS,
    enrolment_admit,
    enrolment_defer,
    enrolment_record_result,
    enrolment_register,
    enrolment_waitlist,
    enrolment_withdraw,
    has_started,
    offering_close_waiting,
    offering_fill_from_waitlist,
    result_problem,
    seats_taken,
)

S = EnrolmentState

# The admission actions a programme administrator may take on one enrolment, with the
# state each leads to, and the service that takes it.
TRANSITION_ACTIONS = {
    "admit": (S.ADMITTED, enrolment_admit),
    "waitlist": (S.WAITLISTED, enrolment_waitlist),
    "register": (S.REGISTERED, enrolment_register),
    "withdraw": (S.WITHDRAWN, enrolment_withdraw),
    "defer": (S.DEFERRED, enrolment_defer),
}

# States whose enrolments appear in the results grid.
RESULT_STATES = (S.REGISTERED, S.PASSED, S.FAILED)


def _field_error(field_name: str, message: str, code: str) -> ValidationError:
    """An error on one form field, with a code that callers and tests can check."""
    return ValidationError({field_name: ValidationError(message, code=code)})


def enrolment_actions(state: str) -> list[str]:
    """The admission actions that can follow an enrolment's state, in display order."""
    return [
        action
        for action, (to_state, _service) in TRANSITION_ACTIONS.items()
        if to_state in TRANSITIONS[state]
    ]


def enrolment_transition(*, enrolment: Enrolment, action: str, actor) -> Enrolment:
    """Take one admission action; a refused one raises ValidationError with the reason."""
    if action not in TRANSITION_ACTIONS:
        raise ValidationError(_("Unknown action."), code="unknown_action")
    _to_state, service = TRANSITION_ACTIONS[action]
    return service(enrolment=enrolment, actor=actor)


@dataclass
class AdmitAllResult:
    admitted: list[Enrolment] = field(default_factory=list)
    waitlisted: list[Enrolment] = field(default_factory=list)
    refused: list[tuple[Enrolment, str]] = field(default_factory=list)


def offering_admit_nominated(*, offering: CourseOffering, actor) -> AdmitAllResult:
    """Admit every nominated enrolment in the order of nomination: free seats first,
    then the waitlist, so that who was nominated first gets the first seat."""
    result = AdmitAllResult()
    with transaction.atomic():
        # Held for the whole batch, so that nobody else's admission slips in between.
        CourseOffering.objects.select_for_update().get(pk=offering.pk)
        nominated = Enrolment.objects.filter(offering_id=offering.pk, state=S.NOMINATED).order_by(
            "created_at", "id"
        )
        for enrolment in nominated:
            try:
                enrolment = enrolment_admit(enrolment=enrolment, actor=actor)
            except ValidationError as exc:
                result.refused.append((enrolment, exc.messages[0]))
                continue
            if enrolment.state == S.ADMITTED:
                result.admitted.append(enrolment)
            else:
                result.waitlisted.append(enrolment)
    return result


def _offering_full_clean(offering: CourseOffering) -> None:
    # term_index is derived on save; the term itself is what is validated.
    offering.full_clean(exclude=["term_index"])


def offering_create(*, actor, fields: dict) -> CourseOffering:
    """A new course offering, from the fields of the offering form."""
    offering = CourseOffering(**fields)
    _offering_full_clean(offering)
    try:
        with transaction.atomic():
            offering.save()
    except IntegrityError as exc:
        # Another administrator created the same course, term and provider a moment earlier.
        raise _field_error("term", DUPLICATE_OFFERING, "duplicate") from exc
    return offering


def offering_update(*, offering: CourseOffering, actor, fields: dict) -> list[Enrolment]:
    """Change an offering. Seats may not drop below the seats already taken; seats added
    go to the waitlist in order. Returns the enrolments admitted from the waitlist."""
    with transaction.atomic():
        locked = CourseOffering.objects.select_for_update().get(pk=offering.pk)
        old_seats, old_course_id = locked.seats, locked.course_id
        has_enrolments = locked.enrolments.exists()
        for name, value in fields.items():
            setattr(locked, name, value)
        if has_enrolments and locked.course_id != old_course_id:
            raise _field_error(
                "course",
                _("The course cannot be changed once managers are enrolled."),
                "course_locked",
            )
        taken = seats_taken(locked)
        if locked.seats < taken:
            raise _field_error(
                "seats",
                _("%(taken)s seats are already taken; the offering cannot have fewer.")
                % {"taken": taken},
                "seats_taken",
            )
        _offering_full_clean(locked)
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError as exc:
            raise _field_error("term", DUPLICATE_OFFERING, "duplicate") from exc
        admitted = []
        if locked.seats > old_seats:
            admitted = offering_fill_from_waitlist(offering=locked, actor=actor)
        if has_started(locked, on=timezone.localdate()):
            offering_close_waiting(offering=locked, actor=actor)
    return admitted


@dataclass
class ResultRow:
    enrolment: Enrolment
    grade: str
    credits: Decimal | None
    result_date: date | None


class ResultsInvalid(Exception):
    """Some rows of a results grid cannot be saved: field errors per row position."""

    def __init__(self, errors: dict[int, dict[str, str]]):
        super().__init__(errors)
        self.errors = errors


def results_problems(rows: Sequence[ResultRow]) -> dict[int, dict[str, str]]:
    """Field errors per row position, for the rows that have any."""
    errors = {}
    for index, row in enumerate(rows):
        problem = result_problem(row.enrolment, row.grade, row.credits, row.result_date)
        if problem:
            errors[index] = problem
    return errors


def results_record(*, rows: Sequence[ResultRow], actor) -> list[Enrolment]:
    """Record the results of many enrolments at once: all of them, or none.

    The rows are checked again on their locked enrolments, since one may have been
    withdrawn since the grid was shown.
    """
    with transaction.atomic():
        locked = Enrolment.objects.select_for_update().in_bulk([row.enrolment.pk for row in rows])
        fresh = []
        for index, row in enumerate(rows):
            enrolment = locked.get(row.enrolment.pk)
            if enrolment is None:
                raise ResultsInvalid({index: {"grade": _("The enrolment no longer exists.")}})
            # The course is the same for the locked row; reuse it rather than query again.
            enrolment.offering = row.enrolment.offering
            fresh.append(
                ResultRow(
                    enrolment=enrolment,
                    grade=row.grade,
                    credits=row.credits,
                    result_date=row.result_date,
                )
            )
        errors = results_problems(fresh)
        if errors:
            raise ResultsInvalid(errors)
        return [
            enrolment_record_result(
                enrolment=row.enrolment,
                grade=row.grade,
                credits=row.credits,
                result_date=row.result_date,
                actor=actor,
            )
            for row in fresh
        ]


def credit_transfer_create(
    *,
    participant: Participant,
    programme: Programme,
    slot: ProgrammeSlot | None,
    kind: str,
    reason: str,
    decided_on: date,
    actor,
) -> CreditTransfer:
    """Record a decision that a slot, or the whole programme, counts as done."""
    if slot is not None and slot.programme_id != programme.pk:
        raise _field_error(
            "slot", _("The course slot belongs to another programme."), "wrong_programme"
        )
    if decided_on > timezone.localdate():
        raise _field_error("decided_on", _("The decision date cannot be in the future."), "future")
    try:
        with transaction.atomic():
            # One decision at a time per manager, so the checks below stay true.
            Participant.objects.select_for_update().get(pk=participant.pk)
            if slot is not None:
                passed = Enrolment.objects.filter(
                    participant_id=participant.pk, slot_id=slot.pk, state=S.PASSED
                ).exists()
                if passed:
                    raise _field_error(
                        "slot",
                        _(
                            "%(name)s has already passed a course in this slot; "
                            "nothing is left to credit."
                        )
                        % {"name": participant.full_name},
                        "slot_passed",
                    )
            if slot is None and progress_of(participant).is_complete:
                raise _field_error(
                    "slot",
                    _(
                        "%(name)s has already completed the programme; an exemption cannot "
                        "replace the completion."
                    )
                    % {"name": participant.full_name},
                    "completed",
                )
            duplicates = CreditTransfer.objects.filter(participant_id=participant.pk)
            if slot is None:
                duplicates = duplicates.filter(programme_id=programme.pk, slot__isnull=True)
            else:
                duplicates = duplicates.filter(slot_id=slot.pk)
            if duplicates.exists():
                raise _field_error(
                    "slot", _("This credit transfer has already been decided."), "duplicate"
                )
            return CreditTransfer.objects.create(
                participant=participant,
                programme=programme,
                slot=slot,
                kind=kind,
                reason=reason,
                decided_on=decided_on,
                approved_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError as exc:
        raise _field_error(
            "slot", _("This credit transfer has already been decided."), "duplicate"
        ) from exc
