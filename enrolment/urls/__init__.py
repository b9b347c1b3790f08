"""The enrolment app's pages, one module per area, all in the "enrolment" namespace."""

from . import compliance, imports, offerings, own, participants

app_name = "enrolment"

urlpatterns = [
    *participants.urlpatterns,
    *offerings.urlpatterns,
    *imports.urlpatterns,
    *own.urlpatterns,
    *compliance.urlpatterns,
]
