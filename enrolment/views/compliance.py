"""Compliance pages: a municipality's managers against its mandate, the regional view,
and the mandate versions themselves."""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.decorators import require_form_methods, require_safe, role_required
from portal.accounts.models import Role
from portal.accounts.scope import (
    AGGREGATE_ROLES,
    EDITOR_ROLES,
    PEOPLE_ROLES,
    has_role,
    reach,
    reach_q,
)
from portal.exports import Table, table_response
from programmes.models import Municipality
from programmes.selectors import municipalities_visible_to, regions_visible_to
from programmes.terms import Term

from ..compliance import (
    Status,
    municipality_compliance,
    municipality_compliance_listing,
    must_start_by,
)
from ..compliance_shares import region_compliance_section
from ..filters_compliance import ComplianceFilter
from ..forms import MandateForm
from ..models import Mandate
from ..selectors import participants_editable_by, participants_visible_to
from ..services.mandates import mandate_save
from .participants import bulk_nomination

NOMINATE_FORM_ID = "compliance-nominate"

PAGE_ROLES = (Role.PROGRAMME_ADMIN, Role.HR_ADMIN, Role.HEAD_OF_ADMINISTRATION)


def _municipality_for(user, code) -> Municipality:
    return get_object_or_404(municipalities_visible_to(user, PEOPLE_ROLES), code=code)


def _mandate_municipalities(user):
    """Municipalities whose mandate a user may change: a programme administrator's region,
    an HR administrator's whole municipality (not one administration of it)."""
    r = reach(user, EDITOR_ROLES)
    return Municipality.objects.filter(reach_q(r, region="region_id", municipality="id"))


@require_safe
@role_required(*PAGE_ROLES, Role.COUNCIL)
def compliance_home(request):
    if reach(request.user, AGGREGATE_ROLES):
        return redirect("enrolment:compliance_region")
    municipalities = list(municipalities_visible_to(request.user, PEOPLE_ROLES)[:2])
    if len(municipalities) == 1:
        return redirect("enrolment:compliance_municipality", code=municipalities[0].code)
    return render(
        request,
        "enrolment/compliance/home.html",
        {"municipalities": municipalities_visible_to(request.user, PEOPLE_ROLES)},
    )


# The managers the municipality's page lists by name; the others are counted only.
LISTED = (Status.OVERDUE, Status.AT_RISK, Status.NOT_STARTED)


def _compliance(request, municipality, *, listed=tuple(Status.ORDER)):
    """Compliance of the managers of a municipality that the user may see, filtered:
    counts of all, rows of those in the `listed` statuses."""
    filterset = ComplianceFilter(
        request.GET or None,
        queryset=participants_visible_to(request.user, PEOPLE_ROLES),
        municipality=municipality,
    )
    visible = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    result = municipality_compliance_listing(
        municipality=municipality,
        on=timezone.localdate(),
        statuses=listed,
        participant_filter=Q(pk__in=visible.values("pk")),
    )
    return filterset, result


def _with_checkboxes(rows, checkboxes):
    return [(row, checkboxes.get(row.participant.pk)) for row in rows]


@require_safe
@role_required(*PAGE_ROLES)
def compliance_municipality(request, code):
    municipality = _municipality_for(request.user, code)
    filterset, result = _compliance(request, municipality, listed=LISTED)
    attention = result.rows_with(Status.OVERDUE, Status.AT_RISK)
    not_started = result.rows_with(Status.NOT_STARTED)
    bulk = bulk_nomination(
        request.user, [r.participant for r in attention + not_started], form_id=NOMINATE_FORM_ID
    )
    return render(
        request,
        "enrolment/compliance/municipality.html",
        {
            "municipality": municipality,
            "filter": filterset,
            "result": result,
            "counts": [(s, Status.LABELS[s], result.counts[s]) for s in Status.ORDER],
            "attention": _with_checkboxes(attention, bulk.checkboxes),
            "not_started": _with_checkboxes(not_started, bulk.checkboxes),
            "bulk_form": bulk.form,
            "bulk_form_id": NOMINATE_FORM_ID,
            "nothing_open": bulk.nothing_open,
            "here": request.get_full_path(),
            "may_nominate": has_role(request.user, *EDITOR_ROLES),
            "can_edit_mandate": _mandate_municipalities(request.user)
            .filter(pk=municipality.pk)
            .exists(),
            "query": request.GET.urlencode(),
        },
    )


@require_safe
@role_required(*EDITOR_ROLES)
def compliance_must_start(request, code):
    """HR's list of the managers who must begin by the end of next term and have not:
    from compliance's one computation, with nomination of one or many."""
    municipality = get_object_or_404(
        municipalities_visible_to(request.user, EDITOR_ROLES), code=code
    )
    on = timezone.localdate()
    next_term = Term.of(on).shift(1)
    result = municipality_compliance(
        municipality=municipality,
        on=on,
        participant_filter=Q(pk__in=participants_editable_by(request.user).values("pk")),
    )
    rows = must_start_by(result.rows, by=next_term.end)
    bulk = bulk_nomination(request.user, [r.participant for r in rows], form_id=NOMINATE_FORM_ID)
    return render(
        request,
        "enrolment/compliance/must_start.html",
        {
            "municipality": municipality,
            "result": result,
            "term": next_term,
            "rows": [(row, bulk.checkboxes.get(row.participant.pk), _planned(row)) for row in rows],
            "bulk_form": bulk.form,
            "nothing_open": bulk.nothing_open,
            "bulk_form_id": NOMINATE_FORM_ID,
            "here": request.get_full_path(),
        },
    )


def _planned(row):
    """The slots under way for a manager who has not begun: nominations, waitlist places
    and seats on offerings still to start."""
    return [sp for sp in row.progress.slots if sp.current is not None]


@require_safe
@role_required(*PAGE_ROLES)
def compliance_export(request, code, file_format):
    municipality = _municipality_for(request.user, code)
    _filterset, result = _compliance(request, municipality)
    table = Table(
        title=_("Compliance"),
        headers=[
            _("First name"),
            _("Last name"),
            _("Work e-mail"),
            _("Administration"),
            _("Operational area"),
            _("Position"),
            _("Appointed as manager"),
            _("Status"),
            _("Deadline"),
            _("Reason"),
            "hp",
        ],
        rows=(
            [
                r.participant.first_name,
                r.participant.last_name,
                r.participant.email,
                r.participant.administration.name if r.participant.administration else "",
                r.participant.get_operational_area_display(),
                r.participant.get_position_display(),
                r.participant.appointed_on,
                str(r.status_label),
                r.deadline,
                r.reason,
                r.progress.credits,
            ]
            for r in result.rows
        ),
    )
    filename = f"efterlevnad-{municipality.code}-{result.on.isoformat()}"
    return table_response(table, file_format, filename)


@require_safe
@role_required(Role.PROGRAMME_ADMIN, Role.COUNCIL)
def compliance_region(request):
    regions = regions_visible_to(request.user, AGGREGATE_ROLES).filter(
        pk__in=reach(request.user, AGGREGATE_ROLES).region_ids
    )
    on = timezone.localdate()
    exact_regions = reach(request.user, frozenset({Role.PROGRAMME_ADMIN})).region_ids
    sections = [
        region_compliance_section(region, on, exact=region.pk in exact_regions)
        for region in regions
    ]
    return render(request, "enrolment/compliance/region.html", {"on": on, "sections": sections})


@require_safe
@role_required(Role.PROGRAMME_ADMIN, Role.HR_ADMIN)
def mandate_list(request, code):
    municipality = get_object_or_404(_mandate_municipalities(request.user), code=code)
    return render(
        request,
        "enrolment/compliance/mandate_list.html",
        {
            "municipality": municipality,
            "mandates": municipality.mandates.prefetch_related("administrations").order_by(
                "-effective_from"
            ),
        },
    )


@require_form_methods
@role_required(Role.PROGRAMME_ADMIN, Role.HR_ADMIN)
def mandate_edit(request, code, pk=None):
    municipality = get_object_or_404(_mandate_municipalities(request.user), code=code)
    instance = None
    if pk is not None:
        instance = get_object_or_404(Mandate, pk=pk, municipality=municipality)
    form = MandateForm(request.POST or None, instance=instance, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        mandate_save(form=form, actor=request.user)
        messages.success(request, _("The mandate has been saved."))
        return redirect("enrolment:mandate_list", code=municipality.code)
    return render(
        request,
        "enrolment/compliance/mandate_form.html",
        {"municipality": municipality, "form": form, "mandate": instance},
    )
