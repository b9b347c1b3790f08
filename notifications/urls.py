from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("meddelanden/", views.preferences, name="preferences"),
    path("meddelanden/kalender/ny-adress/", views.feed_reset, name="feed_reset"),
    path("meddelanden/misslyckade/", views.failed_list, name="failed_list"),
    # Public: opened from an e-mail or by a calendar client, without logging in.
    path("meddelanden/avsluta/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("kalender/<str:token>.ics", views.feed, name="feed"),
]
