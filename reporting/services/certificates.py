"""Certificates: issued once to a manager who completed the programme, then kept.

Regenerating the PDF reuses the certificate and so its code; revoking keeps the row, so
the public page can say the certificate is revoked rather than unknown.
"""

import secrets
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enrolment.models import Participant
from enrolment.progress import progress_of

from ..builders.certificate import completion_problem
from ..models import Certificate

# Read aloud or typed from paper: no 0/O or 1/I. Sixteen of 32 symbols are 80 random bits.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16


def certificate_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def valid_certificate(participant: Participant) -> Certificate | None:
    return Certificate.objects.filter(participant=participant, revoked_at__isnull=True).first()


def certificate_issue(*, participant: Participant, on: date) -> Certificate:
    """The manager's valid certificate, issued now if they have none. Refuses, in words,
    a manager who does not earn one (README, "Certificates") or whose certificate a
    person revoked; one revoked because a result changed is followed by a new one."""
    existing = valid_certificate(participant)
    if (
        existing is None
        and Certificate.objects.filter(participant=participant, revoked_by__isnull=False).exists()
    ):
        raise ValidationError(
            _("The certificate of %(name)s has been revoked.") % {"name": participant.full_name},
            code="revoked",
        )
    progress = progress_of(participant)
    problem = completion_problem(participant, progress)
    if problem:
        raise ValidationError(problem, code="not_complete")
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Certificate.objects.create(
                participant=participant,
                programme=progress.programme,
                code=certificate_code(),
                issued_on=on,
            )
    except IntegrityError:
        # Issued by a simultaneous request: that one is the certificate.
        return valid_certificate(participant)


def certificate_review(*, participant: Participant, reason: str) -> Certificate | None:
    """After a result or decision changed: revoke the valid certificate, with the reason
    the public page shows, if the manager no longer earns it. Returns the revoked one."""
    certificate = valid_certificate(participant)
    if certificate is None or not completion_problem(participant, progress_of(participant)):
        return None
    Certificate.objects.filter(pk=certificate.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoke_reason=reason[:2000]
    )
    certificate.refresh_from_db()
    return certificate


def certificate_revoke(*, certificate: Certificate, actor, reason: str) -> Certificate:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for revoking the certificate."), code="reason")
    with transaction.atomic():
        updated = Certificate.objects.filter(pk=certificate.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=actor, revoke_reason=reason[:2000]
        )
        if not updated:
            raise ValidationError(_("The certificate has already been revoked."), code="revoked")
    certificate.refresh_from_db()
    return certificate
