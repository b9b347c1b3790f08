from django.urls import path, re_path

from ..views import compliance

CODE = r"(?P<code>[0-9]{4})"

urlpatterns = [
    path("efterlevnad/", compliance.compliance_home, name="compliance_home"),
    path("efterlevnad/region/", compliance.compliance_region, name="compliance_region"),
    re_path(
        rf"^efterlevnad/{CODE}/$",
        compliance.compliance_municipality,
        name="compliance_municipality",
    ),
    re_path(
        rf"^efterlevnad/{CODE}/export\.(?P<file_format>csv|xlsx)$",
        compliance.compliance_export,
        name="compliance_export",
    ),
    re_path(
        rf"^efterlevnad/{CODE}/ska-borja/$",
        compliance.compliance_must_start,
        name="compliance_must_start",
    ),
    re_path(rf"^efterlevnad/{CODE}/beslut/$", compliance.mandate_list, name="mandate_list"),
    re_path(rf"^efterlevnad/{CODE}/beslut/ny/$", compliance.mandate_edit, name="mandate_create"),
    re_path(
        rf"^efterlevnad/{CODE}/beslut/(?P<pk>[0-9]+)/andra/$",
        compliance.mandate_edit,
        name="mandate_update",
    ),
]
