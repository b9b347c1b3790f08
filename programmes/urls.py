from django.urls import path

from . import views

app_name = "programmes"

urlpatterns = [
    path("program/", views.programme_list, name="programme_list"),
    path("program/<int:pk>/", views.programme_detail, name="programme_detail"),
    path(
        "program/<int:pk>/motsvarigheter/<int:equivalence_pk>/ta-bort/",
        views.equivalence_delete,
        name="equivalence_delete",
    ),
]
