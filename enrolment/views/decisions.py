"""Deadline decisions on the managers pages: one for a manager, or a pause for every
manager in post in an administration."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.accounts.decorators import require_form_methods, role_required
from portal.accounts.scope import EDITOR_ROLES
from programmes.selectors import administrations_visible_to

from .. import facts
from ..forms_decisions import AdministrationPauseForm, DeadlineDecisionForm
from ..selectors import participants_editable_by
from ..services.decisions import deadline_decision_record, deadline_pauses_record


@require_form_methods
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


@require_form_methods
@role_required(*EDITOR_ROLES)
def administration_pause(request):
    administrations = administrations_visible_to(request.user, EDITOR_ROLES).select_related(
        "municipality"
    )
    data = request.POST if request.method == "POST" else None
    form = AdministrationPauseForm(data, user=request.user, administrations=administrations)
    if request.method == "POST" and form.is_valid():
        today = timezone.localdate()
        managers = participants_editable_by(request.user).filter(
            facts.in_post_q(on=today), administration=form.cleaned_data["administration"]
        )
        decisions = deadline_pauses_record(
            user=request.user,
            participants=list(managers.select_related("municipality")),
            **{k: v for k, v in form.cleaned_data.items() if k != "administration"},
        )
        messages.success(
            request,
            ngettext(
                "The deadlines of %(count)d manager were paused.",
                "The deadlines of %(count)d managers were paused.",
                len(decisions),
            )
            % {"count": len(decisions)},
        )
        return redirect("enrolment:participant_list")
    return render(request, "enrolment/participants/administration_pause.html", {"form": form})
