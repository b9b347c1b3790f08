from django.urls import path, re_path

from . import views

app_name = "evaluations"

urlpatterns = [
    path("utvardering/omgangar/", views.rounds, name="rounds"),
    path("utvardering/omgangar/ny/", views.round_create, name="round_create"),
    path("utvardering/omgangar/<int:pk>/andra/", views.round_update, name="round_update"),
    path("utvardering/enkater/", views.questionnaires, name="questionnaires"),
    path("utvardering/enkater/ny/", views.questionnaire_create, name="questionnaire_create"),
    path(
        "utvardering/enkater/<int:pk>/andra/",
        views.questionnaire_update,
        name="questionnaire_update",
    ),
    path(
        "utvardering/enkater/<int:pk>/kopiera/",
        views.questionnaire_copy_view,
        name="questionnaire_copy",
    ),
    path("utvardering/resultat/", views.results, name="results"),
    re_path(
        r"^utvardering/resultat\.(?P<file_format>csv|xlsx)$",
        views.results_export,
        name="results_export",
    ),
    path("utvardering/<int:round_id>/", views.answer, name="answer"),
]
