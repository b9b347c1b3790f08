from django.urls import path

from . import views

app_name = "enrolment"

urlpatterns = [
    path("chefer/<int:pk>/", views.participant_detail, name="participant_detail"),
    path("min-utbildning/", views.my_programme, name="my_programme"),
]
