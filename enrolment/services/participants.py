"""Adding and editing managers, and recording that one left the manager role.

Each write runs in one transaction and ends by checking that the manager is still
within what the user may edit; if not, the transaction is rolled back and the answer
is 404, as for anything else outside the user's scope.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.models import Administration, Municipality

from ..models import Participant, PreviousPost
from ..selectors import participants_editable_by

# How far ahead a leaving date may be recorded: a notice period, not a guess about years.
LEAVING_HORIZON = timedelta(days=365)


def leaving_date_problem(participant: Participant, left_on: date | None) -> str | None:
    """Why a date cannot be recorded as the day a manager left the role, or None."""
    if left_on is None:
        return _("Enter the date the manager left the manager role.")
    if participant.appointed_on and left_on < participant.appointed_on:
        return _("The leaving date cannot be before the appointment as manager (%(date)s).") % {
            "date": participant.appointed_on.isoformat()
        }
    latest = timezone.localdate() + LEAVING_HORIZON
    if left_on > latest:
        return _("The leaving date can be at most one year ahead (%(date)s).") % {
            "date": latest.isoformat()
        }
    return None


def appointment_problem(participant: Participant, appointed_on: date | None) -> str | None:
    """Why an appointment date does not fit a manager already recorded as having left."""
    if appointed_on and participant.left_on and appointed_on > participant.left_on:
        return _("The appointment cannot be after the date the manager left (%(date)s).") % {
            "date": participant.left_on.isoformat()
        }
    return None


def move_date_problem(participant: Participant, moved_on: date | None) -> str | None:
    """Why a day cannot be recorded as the day a manager moved municipality, or None."""
    if moved_on is None:
        return _("Enter the date the manager moved to the new municipality.")
    earliest = participant.in_municipality_since or participant.appointed_on
    if earliest and moved_on <= earliest:
        return _("The move must be after %(date)s, when the current post began.") % {
            "date": earliest.isoformat()
        }
    latest = timezone.localdate() + LEAVING_HORIZON
    if moved_on > latest:
        return _("The move can be at most one year ahead (%(date)s).") % {
            "date": latest.isoformat()
        }
    return None


def participant_move(*, participant: Participant, municipality: Municipality, moved_on) -> None:
    """Close the manager's current post on the day of the move and start the one in the
    new municipality. The caller saves the manager in the same transaction."""
    problem = move_date_problem(participant, moved_on)
    if problem:
        raise ValidationError({"moved_on": problem})
    PreviousPost.objects.create(
        participant=participant,
        municipality_id=participant.municipality_id,
        administration_id=participant.administration_id,
        position=participant.position,
        valid_from=participant.in_municipality_since,
        valid_to=moved_on,
    )
    participant.in_municipality_since = moved_on


def _ensure_editable(user, participant: Participant) -> None:
    # Called inside the transaction, so a write that ends outside scope is undone.
    if not participants_editable_by(user).filter(pk=participant.pk).exists():
        raise Http404


def _save(participant: Participant, user) -> None:
    participant._history_user = user
    participant.full_clean()
    try:
        with transaction.atomic():
            participant.save()
    except IntegrityError as exc:
        # A concurrent write took the e-mail address or employee number first.
        raise ValidationError(
            _("Another manager already has this e-mail address or employee number."),
            code="duplicate",
        ) from exc


def _apply(
    participant: Participant,
    *,
    municipality: Municipality,
    administration: Administration | None,
    first_name: str,
    last_name: str,
    email: str,
    employee_number: str,
    operational_area: str,
    position: str,
    appointed_on: date | None,
    moved_on: date | None = None,
) -> None:
    if administration is not None and administration.municipality_id != municipality.pk:
        raise ValidationError(
            {"administration": _("Choose an administration of the chosen municipality.")}
        )
    problem = appointment_problem(participant, appointed_on)
    if problem:
        raise ValidationError({"appointed_on": problem})
    if participant.pk and participant.municipality_id != municipality.pk:
        participant_move(participant=participant, municipality=municipality, moved_on=moved_on)
    participant.municipality = municipality
    participant.administration = administration
    participant.first_name = first_name.strip()
    participant.last_name = last_name.strip()
    participant.email = email.strip().lower()
    participant.employee_number = employee_number.strip()
    participant.operational_area = operational_area
    participant.position = position
    participant.appointed_on = appointed_on


def participant_create(
    *,
    user,
    municipality: Municipality,
    first_name: str,
    last_name: str,
    email: str,
    employee_number: str = "",
    administration: Administration | None = None,
    operational_area: str = "",
    position: str = "",
    appointed_on: date | None = None,
) -> Participant:
    participant = Participant()
    _apply(
        participant,
        municipality=municipality,
        administration=administration,
        first_name=first_name,
        last_name=last_name,
        email=email,
        employee_number=employee_number,
        operational_area=operational_area,
        position=position,
        appointed_on=appointed_on,
    )
    with transaction.atomic():
        _save(participant, user)
        _ensure_editable(user, participant)
    return participant


def participant_update(
    *,
    user,
    participant: Participant,
    municipality: Municipality,
    first_name: str,
    last_name: str,
    email: str,
    employee_number: str = "",
    administration: Administration | None = None,
    operational_area: str = "",
    position: str = "",
    appointed_on: date | None = None,
    moved_on: date | None = None,
) -> Participant:
    with transaction.atomic():
        # Lock the row so two editors' saves follow each other instead of mixing.
        participant = Participant.objects.select_for_update().get(pk=participant.pk)
        _ensure_editable(user, participant)
        _apply(
            participant,
            municipality=municipality,
            administration=administration,
            first_name=first_name,
            last_name=last_name,
            email=email,
            employee_number=employee_number,
            operational_area=operational_area,
            position=position,
            appointed_on=appointed_on,
            moved_on=moved_on,
        )
        _save(participant, user)
        _ensure_editable(user, participant)
    return participant


def participant_record_leaving(*, user, participant: Participant, left_on: date) -> Participant:
    with transaction.atomic():
        participant = Participant.objects.select_for_update().get(pk=participant.pk)
        _ensure_editable(user, participant)
        problem = leaving_date_problem(participant, left_on)
        if problem:
            raise ValidationError({"left_on": problem})
        participant.left_on = left_on
        _save(participant, user)
        _ensure_editable(user, participant)
    return participant
