"""Intyg: a manager completed the programme. The four courses with hp and dates, the date
of issue, and a verification code with a QR code that opens the public check page."""

import base64
import io
from datetime import date

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db.models import F
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from enrolment.progress import SlotStatus, progress_of

from ..models import Certificate, ReportScope
from . import ReportRefused, common_context, render_pdf


def verify_url(code: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("reporting:certificate_verify", args=[code])


def qr_data_uri(text: str) -> str:
    image = qrcode.make(
        text,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    out = io.BytesIO()
    image.save(out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def completion_problem(participant, progress) -> str:
    """Why a manager gets no certificate, in words; empty when they earn one. The one
    rule: every slot filled and at least one of the programme's courses passed; slots
    filled by a decision are listed as credited (tillgodoräknad)."""
    if not progress.is_complete:
        return _(
            "%(name)s has not completed the programme (%(credits)s of %(total)s hp), so no "
            "certificate can be issued."
        ) % {
            "name": participant.full_name,
            "credits": number_format(progress.credits.normalize()),
            "total": number_format(progress.total_credits.normalize()),
        }
    if not progress.earns_certificate:
        return _(
            "%(name)s has passed none of the programme's courses; a certificate needs at "
            "least one course passed."
        ) % {"name": participant.full_name}
    return ""


def build(*, scope: ReportScope, data_date: date, reference: str, on_progress) -> bytes:
    participant = scope.participant
    if participant is None:
        raise ReportRefused(_("A certificate needs a manager."))
    certificate = (
        Certificate.objects.select_related("programme__provider", "programme__region")
        .filter(participant=participant)
        .order_by(F("revoked_at").asc(nulls_first=True), "-issued_on", "-id")
        .first()
    )
    if certificate is None:
        raise ReportRefused(
            _("No certificate has been issued to %(name)s.") % {"name": participant.full_name}
        )
    if certificate.is_revoked:
        raise ReportRefused(_("The certificate has been revoked."))
    progress = progress_of(participant)
    problem = completion_problem(participant, progress)
    if problem:
        raise ReportRefused(problem)
    on_progress(30)

    courses = [
        {
            "position": sp.slot.position,
            "title": sp.course_title,
            "credited": sp.status == SlotStatus.CREDITED,
            "credits": sp.credits,
            "date": sp.completed_on,
        }
        for sp in progress.slots
    ]
    url = verify_url(certificate.code)
    context = {
        **common_context(title=_("Certificate"), data_date=data_date, reference=reference),
        "participant": participant,
        "certificate": certificate,
        "programme": certificate.programme,
        "courses": courses,
        "credits": progress.credits,
        "completed_on": progress.completed_on,
        "verify_url": url,
        "qr": qr_data_uri(url),
    }
    on_progress(45)
    return render_pdf("reporting/pdf/certificate.html", context, on_progress)
