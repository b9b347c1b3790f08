"""Deadline decisions on the managers pages: recording one for a manager."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from portal.accounts.decorators import role_required
from portal.accounts.scope import EDITOR_ROLES

from ..forms_decisions import DeadlineDecisionForm
from ..selectors import participants_editable_by
from ..services.decisions import deadline_decision_record


@role_required(*EDITOR_ROLES)
def deadline_decision_create(request, pk):
    participant = get_object_or_404(
        participants_editable_by(request.user).select_related("municipality"), pk=pk
    )
    data = request.POST if request.method == "POST" else None
    form = DeadlineDecisionForm(data, user=request.user, participant=participant)
    if request.method == "POST" and form.is_valid():
        try:
            deadline_decision_record(user=request.user, participant=participant, **form.decision)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The decision was recorded."))
            return redirect("enrolment:participant_detail", pk=participant.pk)
    return render(
        request,
        "enrolment/participants/deadline_decision.html",
        {"form": form, "participant": participant},
    )
