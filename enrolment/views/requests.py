"""HR's list of managers' requests to be nominated, and the answer to each."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.decorators import require_safe, role_required
from portal.accounts.scope import EDITOR_ROLES

from ..selectors import nomination_requests_for
from ..services.enrolments import WARNING_CODES, NominationNeedsConfirmation
from ..services.requests import nomination_request_accept, nomination_request_decline

ANSWERS = {"nominate": nomination_request_accept, "decline": nomination_request_decline}


@require_safe
@role_required(*EDITOR_ROLES)
def request_list(request):
    return _render_list(request)


def _render_list(request, warned=None):
    """The open requests; `warned` holds, for one request, the programme's warnings that
    must be confirmed before the manager is nominated."""
    return render(
        request,
        "enrolment/requests/list.html",
        {"requests": nomination_requests_for(request.user), "warned": warned or {}},
    )


@require_POST
@role_required(*EDITOR_ROLES)
def request_answer(request, pk, answer):
    nomination_request = get_object_or_404(nomination_requests_for(request.user), pk=pk)
    confirmed = request.POST.getlist("confirmed")
    if not set(confirmed) <= set(WARNING_CODES):
        raise Http404
    extra = {"confirmed": confirmed} if answer == "nominate" else {}
    try:
        ANSWERS[answer](request=nomination_request, actor=request.user, **extra)
    except NominationNeedsConfirmation as exc:
        return _render_list(request, warned={nomination_request.pk: exc.warnings})
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        name = nomination_request.participant.full_name
        if answer == "nominate":
            messages.success(request, _("%(name)s has been nominated.") % {"name": name})
        else:
            messages.info(request, _("The request from %(name)s was declined.") % {"name": name})
    return redirect("enrolment:request_list")
