from django.shortcuts import render

from portal.accounts.decorators import role_required
from portal.accounts.models import Role

from ..progress import progress_of
from ..selectors import participant_for_user


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
