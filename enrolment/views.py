from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from portal.accounts.models import Role
from portal.views import role_required

from .progress import progress_of
from .selectors import participant_for_user, participants_visible_to


@login_required
def participant_detail(request, pk):
    participant = get_object_or_404(participants_visible_to(request.user), pk=pk)
    enrolments = participant.enrolments.select_related("offering__course").order_by(
        "offering__term_index", "id"
    )
    return render(
        request,
        "enrolment/participant_detail.html",
        {
            "participant": participant,
            "progress": progress_of(participant),
            "enrolments": enrolments,
        },
    )


@role_required(Role.MANAGER)
def my_programme(request):
    participant = participant_for_user(request.user)
    context = {"participant": participant}
    if participant is not None:
        context["progress"] = progress_of(participant)
        context["enrolments"] = participant.enrolments.select_related("offering__course").order_by(
            "offering__term_index", "id"
        )
    return render(request, "enrolment/my_programme.html", context)
