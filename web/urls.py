from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from portal import health

from . import national, views

admin.site.site_header = _("Ledarskapsportalen – administration")
admin.site.site_title = _("Ledarskapsportalen")

portal_patterns = (
    [
        # Pages that only show: any other method than GET and HEAD answers 405.
        path("", require_safe(views.home), name="home"),
        path(
            "programadministration/",
            require_safe(views.programme_admin_dashboard),
            name="programme_admin",
        ),
        path("hr/", require_safe(views.hr_admin_dashboard), name="hr_admin"),
        path(
            "forvaltning/",
            require_safe(views.head_of_administration_dashboard),
            name="head_of_administration",
        ),
        path("uppfoljning/", require_safe(views.council_dashboard), name="council"),
        path("nationellt/", national.national_dashboard, name="national"),
        path("sprak/", views.set_language, name="set_language"),
    ],
    "portal",
)

urlpatterns = [
    path("", include(portal_patterns)),
    path("", include("enrolment.urls")),
    path("", include("reporting.urls")),
    path("", include("reporting.evaluations.urls")),
    path("", include("reporting.followup.urls")),
    path("", include("api.urls")),
    path("", include("privacy.urls")),
    path("", include("notifications.urls")),
    path("", include("programmes.urls")),
    path("konto/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("healthz/ready", health.readiness, name="readiness"),
]

handler400 = "portal.errors.bad_request"
handler404 = "web.views.page_not_found"
