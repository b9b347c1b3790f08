from django.urls import path

from ..views import offerings

urlpatterns = [
    path("kurstillfallen/", offerings.offering_list, name="offering_list"),
    path("kurstillfallen/ny/", offerings.offering_create, name="offering_create"),
    path("kurstillfallen/<int:pk>/", offerings.offering_detail, name="offering_detail"),
    path("kurstillfallen/<int:pk>/andra/", offerings.offering_update, name="offering_update"),
    path(
        "kurstillfallen/<int:pk>/anta-alla/",
        offerings.offering_admit_all,
        name="offering_admit_all",
    ),
    path("kurstillfallen/<int:pk>/resultat/", offerings.offering_results, name="offering_results"),
    path(
        "kurstillfallen/<int:pk>/deltagare.<str:fmt>",
        offerings.offering_participants_export,
        name="offering_participants_export",
    ),
    path(
        "anmalan/<int:pk>/<slug:action>/",
        offerings.enrolment_transition,
        name="enrolment_transition",
    ),
    path(
        "chefer/<int:participant_pk>/tillgodoraknande/",
        offerings.credit_transfer_create,
        name="credit_transfer_create",
    ),
]
