from django.urls import path, re_path

from ..views import decisions, participants

urlpatterns = [
    path("chefer/", participants.participant_list, name="participant_list"),
    # Only the formats portal.exports writes; any other ending is a 404.
    re_path(
        r"^chefer/export\.(?P<fmt>csv|xlsx)/$",
        participants.participant_export,
        name="participant_export",
    ),
    path(
        "chefer/nominera/", participants.participant_bulk_nominate, name="participant_bulk_nominate"
    ),
    path("chefer/paus/", decisions.administration_pause, name="administration_pause"),
    path("chefer/ny/", participants.participant_create_view, name="participant_create"),
    path("chefer/overta/", participants.participant_take_over_view, name="participant_take_over"),
    path("chefer/<int:pk>/", participants.participant_detail, name="participant_detail"),
    path("chefer/<int:pk>/andra/", participants.participant_update_view, name="participant_update"),
    path("chefer/<int:pk>/slutat/", participants.participant_leave, name="participant_leave"),
    path(
        "chefer/<int:pk>/nominera/", participants.participant_nominate, name="participant_nominate"
    ),
    path(
        "chefer/<int:pk>/tidsfrist/",
        decisions.deadline_decision_create,
        name="deadline_decision_create",
    ),
]
