from django.urls import path, re_path

from . import views

app_name = "followup"

urlpatterns = [
    path("uppfoljning/nyckeltal/", views.key_figures_page, name="key_figures"),
    re_path(
        r"^uppfoljning/nyckeltal\.(?P<file_format>csv|xlsx)$",
        views.key_figures_export,
        name="key_figures_export",
    ),
    path("uppfoljning/intagsplanering/", views.intake_planning, name="intake_planning"),
    re_path(
        r"^uppfoljning/intagsplanering\.(?P<file_format>csv|xlsx)$",
        views.intake_planning_export,
        name="intake_planning_export",
    ),
]
