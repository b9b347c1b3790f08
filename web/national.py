"""The national administrator's start page: every region's aggregates, side by side,
through the same disclosure control as the regional report; never an individual."""

from django.shortcuts import render
from django.utils import timezone

from portal.accounts.decorators import require_safe, role_required
from portal.accounts.models import Role
from portal.accounts.scope import reach
from programmes.selectors import programmes_managed_by
from reporting.builders.national import national_figures


@require_safe
@role_required(Role.NATIONAL_ADMIN)
def national_dashboard(request):
    regions = reach(request.user, frozenset({Role.NATIONAL_ADMIN})).region_ids
    national = national_figures(data_date=timezone.localdate(), region_ids=regions)
    return render(
        request,
        "portal/dashboard_national.html",
        {
            "national": national,
            "programmes": programmes_managed_by(request.user).order_by("title"),
        },
    )
