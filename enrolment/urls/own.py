from django.urls import path, re_path

from ..views import own, requests

urlpatterns = [
    path("min-utbildning/", own.my_programme, name="my_programme"),
    path(
        "min-utbildning/forfragan/<int:offering_pk>/",
        own.my_nomination_request,
        name="my_nomination_request",
    ),
    path("forfragningar/", requests.request_list, name="request_list"),
    re_path(
        r"^forfragningar/(?P<pk>[0-9]+)/(?P<answer>nominate|decline)/$",
        requests.request_answer,
        name="request_answer",
    ),
]
