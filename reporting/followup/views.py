"""The council's follow-up pages: key figures (with their download) and intake planning."""

from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from enrolment import setbased
from enrolment.selectors import participants_visible_to
from portal.accounts.decorators import require_safe, role_required
from portal.accounts.models import Role
from portal.accounts.scope import AGGREGATE_ROLES, reach
from portal.exports import Table, table_response
from programmes.selectors import municipalities_visible_to, regions_visible_to

from .figures import key_figures_table
from .planning import intake_plan, plan_table
from .sections import (
    intake_section,
    key_figures_section,
    plan_section,
    region_key_figures,
    region_plan_table,
)

HR_ROLES = frozenset({Role.HR_ADMIN})


def _regions(user):
    return list(regions_visible_to(user, AGGREGATE_ROLES).order_by("name"))


def _key_figures(request):
    """The same figures for every viewer of a region: kept for the day until a write."""
    on = timezone.localdate()
    return on, [region_key_figures(region, on) for region in _regions(request.user)]


def _counted_elsewhere(request):
    """The key figures are counted in PostgreSQL only (`enrolment.setbased`): on the
    embedded SQLite of a demo without services the page says so instead of failing."""
    return render(request, "followup/key_figures.html", {"needs_postgresql": True})


@require_safe
@role_required(Role.PROGRAMME_ADMIN, Role.COUNCIL)
def key_figures_page(request):
    if not setbased.is_supported():
        return _counted_elsewhere(request)
    on = timezone.localdate()
    sections = [key_figures_section(region, on) for region in _regions(request.user)]
    return render(request, "followup/key_figures.html", {"on": on, "sections": sections})


@require_safe
@role_required(Role.PROGRAMME_ADMIN, Role.COUNCIL)
def key_figures_export(request, file_format):
    if not setbased.is_supported():
        return _counted_elsewhere(request)
    on, figures = _key_figures(request)
    return table_response(key_figures_table(figures), file_format, f"nyckeltal-{on.isoformat()}")


def _exact_regions(user) -> frozenset:
    """The regions whose plans the user reads exact (a programme administrator's)."""
    return reach(user, frozenset({Role.PROGRAMME_ADMIN})).region_ids


def _hr_plan_table(user, on):
    """An HR administrator's plan: the rows of the managers they reach, without the
    regional total."""
    municipalities = list(municipalities_visible_to(user, HR_ROLES).order_by("name"))
    plan = intake_plan(
        municipalities=municipalities,
        region_ids={m.region_id for m in municipalities},
        on=on,
        participant_filter=Q(pk__in=participants_visible_to(user, HR_ROLES).values("pk")),
    )
    return plan_table(plan, exact=True, regional=False, total_label="")


def _plans(request):
    """Regional plans for programme administrators and the council; for an HR
    administrator, the rows of the managers they reach."""
    on = timezone.localdate()
    user = request.user
    regions = _regions(user)
    if regions:
        exact_regions = _exact_regions(user)
        return on, [
            region_plan_table(region, on, exact=region.pk in exact_regions) for region in regions
        ]
    return on, [_hr_plan_table(user, on)]


@require_safe
@role_required(Role.PROGRAMME_ADMIN, Role.COUNCIL, Role.HR_ADMIN)
def intake_planning(request):
    on = timezone.localdate()
    regions = _regions(request.user)
    if not regions:
        sections = [plan_section(_hr_plan_table(request.user, on), "own")]
    else:
        # A region's section is the same for every viewer with the same rights to it:
        # kept rendered, like the plan it is made of.
        exact_regions = _exact_regions(request.user)
        sections = [
            intake_section(region, on, exact=region.pk in exact_regions) for region in regions
        ]
    return render(request, "followup/intake_planning.html", {"on": on, "sections": sections})


@require_safe
@role_required(Role.PROGRAMME_ADMIN, Role.COUNCIL, Role.HR_ADMIN)
def intake_planning_export(request, file_format):
    on, tables = _plans(request)
    rows = []
    for table in tables:
        for row in [*table.rows, *([table.total] if table.total else [])]:
            for term, starts, cumulative in zip(
                table.terms, row.starts, row.cumulative, strict=True
            ):
                rows.append([row.label, str(term), starts, cumulative, "", ""])
        for need in table.needs:
            rows.append(
                [
                    _("Seats on the first course"),
                    str(need.term),
                    "",
                    "",
                    need.seats.free,
                    _("too few seats") if need.short else "",
                ]
            )
    table = Table(
        title=_("Intake planning"),
        headers=[
            _("Municipality"),
            _("Term"),
            _("Must start this term"),
            _("Must have started by this term"),
            _("Free seats"),
            _("Note"),
        ],
        rows=rows,
    )
    return table_response(table, file_format, f"intagsplanering-{on.isoformat()}")
