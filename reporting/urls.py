from django.urls import path, re_path

from . import transcripts, views

app_name = "reporting"

urlpatterns = [
    path("rapporter/", views.report_list, name="report_list"),
    re_path(
        r"^rapporter/bestall/(?P<kind>progress|compliance|regional|certificate)/$",
        views.report_order,
        name="report_order",
    ),
    path("rapporter/<int:pk>/status/", views.report_status, name="report_status"),
    path("rapporter/<int:pk>/fil/", views.report_download, name="report_download"),
    path("rapporter/prenumerationer/", views.subscription_create, name="subscription_create"),
    path(
        "rapporter/prenumerationer/<int:pk>/avsluta/",
        views.subscription_end,
        name="subscription_end",
    ),
    path(
        "rapporter/intyg/<int:pk>/aterkalla/",
        views.certificate_revoke,
        name="certificate_revoke",
    ),
    path("chefer/<int:pk>/resultatintyg.pdf", transcripts.transcript_pdf, name="transcript"),
    # Public: printed on every certificate, opened from its QR code without logging in.
    path("intyg/<str:code>/", views.certificate_verify, name="certificate_verify"),
]
