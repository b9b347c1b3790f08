from django.urls import path, re_path

from ..views import imports

urlpatterns = [
    path("chefer/import/", imports.participant_import, name="participant_import"),
    path(
        "chefer/import/bekrafta/",
        imports.participant_import_apply,
        name="participant_import_apply",
    ),
    re_path(
        r"^chefer/import/mall\.(?P<file_format>csv|xlsx)$",
        imports.participant_import_template,
        name="participant_import_template",
    ),
]
