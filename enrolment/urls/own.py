from django.urls import path

from ..views import own

urlpatterns = [
    path("min-utbildning/", own.my_programme, name="my_programme"),
]
