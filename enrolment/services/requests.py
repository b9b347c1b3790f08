"""A manager's request to be nominated, and HR's answer to it."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import NominationRequest, NominationRequestState, Participant
from .enrolments import enrolment_nominate, nomination_problem


def nomination_request_create(
    *, participant: Participant, offering, message: str = ""
) -> NominationRequest:
    problem = nomination_problem(participant, offering)
    if problem:
        raise ValidationError(problem, code="cannot_request")
    try:
        with transaction.atomic():
            return NominationRequest.objects.create(
                participant=participant, offering=offering, message=message.strip()[:1000]
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("You have already asked to be nominated to this offering."), code="duplicate"
        ) from exc


def _close(request: NominationRequest, state, actor):
    request.state = state
    request.handled_at = timezone.now()
    request.handled_by = actor
    request.save(update_fields=["state", "handled_at", "handled_by"])


def nomination_request_accept(*, request: NominationRequest, actor, confirmed=()):
    """Nominate the manager as they asked; the request closes with the nomination. The
    programme's warnings must be confirmed as for any nomination (`confirmed`)."""
    if request.state != NominationRequestState.OPEN:
        raise ValidationError(_("This request has already been answered."), code="closed")
    with transaction.atomic():
        enrolment = enrolment_nominate(
            participant=request.participant,
            offering=request.offering,
            actor=actor,
            note=_("At the manager's own request."),
            confirmed=confirmed,
        )
        _close(request, NominationRequestState.NOMINATED, actor)
    return enrolment


def nomination_request_decline(*, request: NominationRequest, actor):
    if request.state != NominationRequestState.OPEN:
        raise ValidationError(_("This request has already been answered."), code="closed")
    _close(request, NominationRequestState.DECLINED, actor)
