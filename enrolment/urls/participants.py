from django.urls import path

from ..views import participants

urlpatterns = [
    path("chefer/<int:pk>/", participants.participant_detail, name="participant_detail"),
]
