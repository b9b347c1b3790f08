"""The manager's own page ("Min utbildning") and their requests to be nominated."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.decorators import require_safe, role_required
from portal.accounts.models import Role

from ..compliance import participant_compliance
from ..progress import progress_of
from ..selectors import (
    offerings_open_to,
    offerings_open_to_listed,
    participant_for_user,
    with_withdrawn_from,
)
from ..services.requests import nomination_request_create
from ..standing import deadline_line


@require_safe
@role_required(Role.MANAGER)
def my_programme(request):
    participant = participant_for_user(request.user)
    context = {"participant": participant}
    if participant is not None:
        today = timezone.localdate()
        # Read once: progress, compliance and the list of courses are made from these.
        enrolments = list(
            with_withdrawn_from(
                participant.enrolments.select_related("offering__course__slot")
            ).order_by("offering__term_index", "id")
        )
        progress = progress_of(participant, today, enrolments=enrolments)
        compliance = participant_compliance(participant, on=today, progress=progress)
        open_offerings = offerings_open_to_listed(participant, progress)
        context.update(
            progress=progress,
            enrolments=enrolments,
            open_offerings=open_offerings,
            # Read only when there is an offering to ask for.
            requested_ids=set(
                participant.nomination_requests.filter(state="open").values_list(
                    "offering_id", flat=True
                )
            )
            if open_offerings
            else set(),
            compliance=compliance,
            deadline=deadline_line(compliance, progress),
        )
    return render(request, "enrolment/my_programme.html", context)


@require_POST
@role_required(Role.MANAGER)
def my_nomination_request(request, offering_pk):
    participant = participant_for_user(request.user)
    if participant is None:
        raise Http404
    progress = progress_of(participant)
    offering = get_object_or_404(offerings_open_to(participant, progress), pk=offering_pk)
    try:
        nomination_request_create(
            participant=participant,
            offering=offering,
            message=request.POST.get("message", ""),
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request,
            _("Your request to take %(course)s %(term)s has been sent to your HR administrator.")
            % {"course": offering.course.title, "term": offering.term},
        )
    return redirect("enrolment:my_programme")
