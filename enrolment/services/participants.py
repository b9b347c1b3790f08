"""Adding and editing managers, recording that one left the manager role, and taking
over a manager who moves in from a municipality outside the user's reach.

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

from portal.accounts.models import Role
from portal.accounts.scope import has_role
from programmes.models import Administration, Municipality
from programmes.selectors import municipalities_visible_to

from ..models import Participant, PreviousPost
from ..selectors import participants_editable_by

# How far ahead a leaving date may be recorded: a notice period, not a guess about years.
LEAVING_HORIZON = timedelta(days=365)
# Who may take over a manager from a municipality outside their reach: the receiving
# municipality's HR, who employ the manager (not programme staff, not a head).
TAKE_OVER_ROLES = frozenset({Role.HR_ADMIN})


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


def move_date_problem(
    participant: Participant, moved_on: date | None, *, name_dates: bool = True
) -> str | None:
    """Why a day cannot be recorded as the day a manager moved municipality, or None.
    Without `name_dates` the answer does not give the day the current post began (for a
    user who may not yet see the manager)."""
    if moved_on is None:
        return _("Enter the date the manager moved to the new municipality.")
    earliest = participant.in_municipality_since or participant.appointed_on
    if earliest and moved_on <= earliest:
        if not name_dates:
            return _("The move must be after the day the manager's current post began.")
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


def take_over_offered(*, user, email: str) -> bool:
    """Whether the add form may offer to take over the manager who has this e-mail
    address: the user is an HR administrator and the manager is outside what they may
    edit. Says no more than the duplicate check already does."""
    if not has_role(user, *TAKE_OVER_ROLES):
        return False
    found = Participant.objects.filter(email__iexact=email.strip())
    return found.exists() and not participants_editable_by(user).filter(pk__in=found).exists()


def take_over_check(
    *,
    user,
    email: str,
    municipality: Municipality,
    moved_on: date | None,
    administration: Administration | None = None,
    lock: bool = False,
) -> Participant:
    """The manager `participant_take_over` would take over, or why not: Http404 outside
    the user's reach, ValidationError for what the user can put right. Shown before the
    user confirms, and asked again by the service when they have."""
    if not municipalities_visible_to(user, TAKE_OVER_ROLES).filter(pk=municipality.pk).exists():
        raise Http404
    if administration is not None and administration.municipality_id != municipality.pk:
        raise ValidationError(
            {"administration": _("Choose an administration of the chosen municipality.")}
        )
    found = Participant.objects.filter(email__iexact=email.strip())
    participant = (found.select_for_update() if lock else found).first()
    if participant is None:
        raise ValidationError({"email": _("No manager has this e-mail address.")})
    if participants_editable_by(user).filter(pk=participant.pk).exists():
        raise ValidationError(
            {"email": _("You already manage this manager: edit the manager instead.")}
        )
    if participant.municipality_id == municipality.pk:
        raise ValidationError({"email": _("The manager is already in this municipality.")})
    # The dates of a manager the user does not yet see are not named in the answer.
    problem = move_date_problem(participant, moved_on, name_dates=False)
    if problem:
        raise ValidationError({"moved_on": problem})
    if participant.left_on is not None and participant.left_on < moved_on:
        # A leaving recorded before the move would leave a gap the history cannot hold.
        raise ValidationError(
            {
                "moved_on": _(
                    "The manager is recorded as having left the manager role before this "
                    "date. Give the day the manager left the former post."
                )
            }
        )
    return participant


def participant_take_over(
    *,
    user,
    email: str,
    municipality: Municipality,
    moved_on: date,
    administration: Administration | None = None,
    position: str = "",
    operational_area: str = "",
    employee_number: str = "",
) -> Participant:
    """Take over the manager with this e-mail address into one of the user's municipalities,
    from a municipality outside the user's reach (another region's, say), as a move on
    `moved_on`: the post in the old municipality is closed that day (`participant_move`),
    every enrolment and result stays, and the receiving programme's equivalences and
    mandate decide from then on. Only HR administrators of the receiving municipality;
    anyone else, or a municipality outside their reach, is a 404."""
    with transaction.atomic():
        participant = take_over_check(
            user=user,
            email=email,
            municipality=municipality,
            moved_on=moved_on,
            administration=administration,
            lock=True,
        )
        participant_move(participant=participant, municipality=municipality, moved_on=moved_on)
        participant.municipality = municipality
        participant.administration = administration
        participant.position = position
        participant.operational_area = operational_area
        # An employee number is the municipality's own; the former one does not follow.
        participant.employee_number = employee_number.strip()
        # A leaving the former municipality recorded on or after the move day was this move.
        participant.left_on = None
        _save(participant, user)
        _ensure_editable(user, participant)
    return participant
