from datetime import date
from functools import partial

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from enrolment.compliance import Status, compliance_listing
from enrolment.selectors import (
    overview_by_municipality,
    participants_for_aggregates,
    participants_visible_to,
)
from portal.accounts.decorators import role_required
from portal.accounts.models import Role
from portal.accounts.scope import AGGREGATE_ROLES
from portal.daycache import day_figures
from portal.roles import dashboards_for
from programmes.models import OfferingState
from programmes.selectors import (
    municipalities_visible_to,
    offerings_visible_to,
    reach_key,
    regions_visible_to,
)
from reporting.selectors import subscriptions_of

from .overview import overview_table


@login_required
def home(request):
    dashboards = dashboards_for(request.user)
    if dashboards:
        return redirect(dashboards[0].url)
    return render(request, "portal/no_role.html")


def _overview(participants, *, exact: bool):
    return overview_table(
        overview_by_municipality(participants), exact=exact, total_label=_("Total")
    )


def _reach_overview(user, roles, participants, *, exact: bool):
    """A start page's table: counts only, the same for every user of the same reach
    through the page's roles, so kept for the day until a write, like the council's
    figures."""
    return day_figures(
        f"overview-{'exact' if exact else 'disclosed'}",
        f"reach-{reach_key(user, roles)}",
        timezone.localdate(),
        partial(_overview, participants, exact=exact),
    )


@role_required(Role.PROGRAMME_ADMIN)
def programme_admin_dashboard(request):
    roles = frozenset({Role.PROGRAMME_ADMIN})
    participants = participants_visible_to(request.user, roles)
    offerings = offerings_visible_to(request.user, {Role.PROGRAMME_ADMIN})
    return render(
        request,
        "portal/dashboard_programme_admin.html",
        {
            "regions": regions_visible_to(request.user, {Role.PROGRAMME_ADMIN}),
            "table": _reach_overview(request.user, roles, participants, exact=True),
            "open_offerings": offerings.filter(state=OfferingState.OPEN).count(),
            "running_offerings": offerings.filter(state=OfferingState.RUNNING).count(),
        },
    )


def _people_dashboard(request, role, heading, intro):
    roles = frozenset({role})
    participants = participants_visible_to(request.user, roles)
    return render(
        request,
        "portal/dashboard_people.html",
        {
            "table": _reach_overview(request.user, roles, participants, exact=True),
            "heading": heading,
            "intro": intro,
            "can_edit": role == Role.HR_ADMIN,
            "municipalities": municipalities_visible_to(request.user, frozenset({role})).order_by(
                "name"
            ),
        },
    )


@role_required(Role.HR_ADMIN)
def hr_admin_dashboard(request):
    return _people_dashboard(
        request,
        Role.HR_ADMIN,
        _("HR administration"),
        _(
            "You keep your municipality's managers up to date, nominate them to course "
            "offerings and follow their progress."
        ),
    )


@role_required(Role.HEAD_OF_ADMINISTRATION)
def head_of_administration_dashboard(request):
    """Compliance first: the counts by status of the head's managers and the overdue and
    at-risk among them with their deadlines, from compliance's one computation; then
    their reports and what they truly receive by e-mail."""
    roles = frozenset({Role.HEAD_OF_ADMINISTRATION})
    participants = participants_visible_to(request.user, roles)
    results = compliance_listing(
        municipalities_visible_to(request.user, roles).order_by("name"),
        timezone.localdate(),
        statuses=(Status.OVERDUE, Status.AT_RISK),
        participant_filter=Q(pk__in=participants.values("pk")),
    )
    with_mandate = [r for r in results if r.mandate]
    counts = {status: sum(r.counts[status] for r in with_mandate) for status in Status.ORDER}
    attention = sorted(
        (row for r in with_mandate for row in r.rows_with(Status.OVERDUE, Status.AT_RISK)),
        key=lambda row: (Status.ORDER.index(row.status), row.deadline or date.max),
    )
    return render(
        request,
        "portal/dashboard_head.html",
        {
            "results": results,
            "with_mandate": with_mandate,
            "without_mandate": [r.municipality for r in results if not r.mandate],
            "counts": [(s, Status.LABELS[s], counts[s]) for s in Status.ORDER],
            "total": sum(counts.values()),
            "attention": attention,
            "subscriptions": list(subscriptions_of(request.user)),
            "table": _reach_overview(request.user, roles, participants, exact=True),
        },
    )


@role_required(Role.COUNCIL)
def council_dashboard(request):
    return render(
        request,
        "portal/dashboard_council.html",
        {
            "regions": regions_visible_to(request.user, AGGREGATE_ROLES),
            "table": _reach_overview(
                request.user,
                AGGREGATE_ROLES,
                participants_for_aggregates(request.user),
                exact=False,
            ),
        },
    )


@require_POST
def set_language(request):
    """Django's language switch, which also remembers the choice on the account."""
    response = django_set_language(request)
    language = request.POST.get("language")
    user = request.user
    if user.is_authenticated and language in dict(
        user._meta.get_field("preferred_language").choices
    ):
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return response


def page_not_found(request, exception):
    return render(request, "404.html", {"message": _("The page could not be found.")}, status=404)
