from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from ..progress import progress_of
from ..selectors import participants_visible_to


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
