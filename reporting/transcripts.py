"""The transcript of records (resultatintyg) as a download: the manager's own, or a
manager's in the reach of an HR or programme administrator; anyone else gets 404."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from enrolment.selectors import participants_visible_to
from portal.accounts.access import opened
from portal.accounts.decorators import require_safe, role_required
from portal.accounts.models import Role
from portal.accounts.scope import EDITOR_ROLES

from .builders import transcript

TRANSCRIPT_ROLES = frozenset(EDITOR_ROLES | {Role.MANAGER})


@require_safe
@role_required(*TRANSCRIPT_ROLES)
def transcript_pdf(request, pk):
    participant = get_object_or_404(
        participants_visible_to(request.user, TRANSCRIPT_ROLES).select_related(
            "municipality", "administration"
        ),
        pk=pk,
    )
    if participant.user_id != request.user.pk:
        opened(request, participants=[participant], what="report")
    today = timezone.localdate()
    name = f"resultatintyg-{participant.pk}-{today.isoformat()}"
    pdf = transcript.build(participant=participant, on=today, reference=name)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response
