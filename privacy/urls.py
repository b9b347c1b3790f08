from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("chefer/<int:pk>/registerutdrag.json", views.extract_json, name="extract_json"),
    path("chefer/<int:pk>/registerutdrag.pdf", views.extract_pdf, name="extract_pdf"),
    path("personuppgifter/atkomstlogg/", views.access_log, name="access_log"),
    path("personuppgifter/texter/<slug:page>/", views.public_text_edit, name="text_edit"),
    path("om/<slug:page>/", views.public_page, name="page"),
]
