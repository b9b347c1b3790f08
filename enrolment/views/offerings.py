"""Course offerings: the list and the page of one offering for the people who follow it,
and admission, seats, results and credit transfers for the programme administrator.

HR administrators and heads of administration see every offering of their region with
its counts (counts are not personal), but only the enrolments of their own managers.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal.accounts.decorators import require_form_methods, require_safe, role_required
from portal.accounts.models import Role
from portal.exports import FORMATS, Table, table_response
from programmes.models import Course, CourseOffering, OfferingState
from programmes.selectors import offerings_visible_to, programmes_visible_to

from ..forms_offerings import CreditTransferForm, OfferingFilter, OfferingForm, result_formset
from ..models import Enrolment, EnrolmentState, Grade
from ..selectors import (
    enrolments_administrable_by,
    participants_visible_to,
    with_seat_counts,
)
from ..services import results
from ..services.enrolments import SEAT_STATES

S = EnrolmentState

# Who may follow offerings: the programme's staff and the municipalities' people roles.
VIEW_ROLES = frozenset({Role.PROGRAMME_ADMIN, Role.HR_ADMIN, Role.HEAD_OF_ADMINISTRATION})
ADMIN_ROLES = frozenset({Role.PROGRAMME_ADMIN})
MUNICIPAL_ROLES = frozenset({Role.HR_ADMIN, Role.HEAD_OF_ADMINISTRATION})

ACTION_LABELS = {
    "admit": gettext_lazy("Admit"),
    "waitlist": gettext_lazy("Waitlist"),
    "register": gettext_lazy("Register"),
    "withdraw": gettext_lazy("Withdraw"),
    "defer": gettext_lazy("Defer"),
}


# Before a seat is held, withdrawing takes back a nomination or a waitlist place: no
# course is broken off, so it neither says so nor warns in red.
WAITING_ACTION_LABELS = {
    (S.NOMINATED, "withdraw"): gettext_lazy("Withdraw the nomination"),
    (S.WAITLISTED, "withdraw"): gettext_lazy("Remove from the waitlist"),
}


def _action(action: str, state: str) -> tuple[str, str, bool]:
    """An admission action as its button shows it: the action, its words, and whether it
    breaks off a course (a warning colour)."""
    label = WAITING_ACTION_LABELS.get((state, action))
    if label is not None:
        return action, label, False
    return action, ACTION_LABELS[action], action in ("withdraw", "defer") and state in SEAT_STATES


def _courses_in_reach(user) -> QuerySet[Course]:
    return Course.objects.filter(
        slot__programme__in=programmes_visible_to(user, ADMIN_ROLES)
    ).select_related("slot")


def _enrolments_in_scope(user, offering: CourseOffering) -> QuerySet[Enrolment]:
    """The offering's enrolments the user may see one by one: all of them for its
    programme administrators, their own managers' for HR and heads of administration."""
    enrolments = Enrolment.objects.filter(offering=offering)
    if not _administers(user, offering):
        # One filter, not an OR of two subqueries: the OR costs a plan that scans the
        # offering's every enrolment twice (0.28 s on an offering of 3,700).
        enrolments = enrolments.filter(
            participant__in=participants_visible_to(user, MUNICIPAL_ROLES).values("pk")
        )
    return enrolments.select_related(
        "participant__municipality", "participant__administration"
    ).order_by("participant__last_name", "participant__first_name", "id")


def _administers(user, offering: CourseOffering) -> bool:
    return offerings_visible_to(user, ADMIN_ROLES).filter(pk=offering.pk).exists()


# Offerings of thousands (the synthetic benchmark) must not render every row at once.
ROWS_PER_PAGE = 100


# The list leads with what can be acted on: offerings open for nomination, then those
# coming or running (soonest first), then the finished ones (latest first).
LIST_ORDER = (
    Case(
        When(state=OfferingState.OPEN, then=Value(0)),
        When(state=OfferingState.FINISHED, then=Value(2)),
        default=Value(1),
    ),
    Case(
        When(state=OfferingState.FINISHED, then=-F("term_index")),
        default=F("term_index"),
        output_field=IntegerField(),
    ),
    "course__slot__position",
    "course__title",
)


@require_safe
@role_required(*VIEW_ROLES)
def offering_list(request):
    offerings = offerings_visible_to(request.user, VIEW_ROLES)
    courses = Course.objects.filter(
        slot__programme__in=programmes_visible_to(request.user, VIEW_ROLES)
    )
    offering_filter = OfferingFilter(request.GET, queryset=offerings, courses=courses)
    return render(
        request,
        "enrolment/offerings/list.html",
        {
            "filter": offering_filter,
            "offerings": with_seat_counts(offering_filter.qs)
            .select_related("course__slot")
            .order_by(*LIST_ORDER),
            "can_create": _courses_in_reach(request.user).exists(),
        },
    )


@require_safe
@role_required(*VIEW_ROLES)
def offering_detail(request, pk):
    offering = get_object_or_404(
        with_seat_counts(offerings_visible_to(request.user, VIEW_ROLES)), pk=pk
    )
    administers = _administers(request.user, offering)
    enrolments = _enrolments_in_scope(request.user, offering)
    # The waitlist and the page of enrolments are read by the database, never the whole
    # offering's enrolments in Python.
    waitlist = list(
        enrolments.filter(state=S.WAITLISTED).order_by(
            Coalesce("waitlist_position", Value(0)), "pk"
        )
    )
    page = Paginator(enrolments, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = [
        {
            "enrolment": enrolment,
            "actions": [
                _action(action, enrolment.state)
                for action in results.enrolment_actions(enrolment.state)
            ]
            if administers
            else [],
        }
        for enrolment in page.object_list
    ]
    # Counts over every enrolment of the offering: numbers, not people.
    by_municipality = (
        Enrolment.objects.filter(offering=offering)
        .values("participant__municipality__name")
        .annotate(
            seats_taken=Count("pk", filter=Q(state__in=SEAT_STATES)),
            waitlisted=Count("pk", filter=Q(state=S.WAITLISTED)),
            nominated=Count("pk", filter=Q(state=S.NOMINATED)),
        )
        .filter(Q(seats_taken__gt=0) | Q(waitlisted__gt=0) | Q(nominated__gt=0))
        .order_by("participant__municipality__name")
    )
    return render(
        request,
        "enrolment/offerings/detail.html",
        {
            "offering": offering,
            "administers": administers,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "waitlist": waitlist,
            "by_municipality": by_municipality,
            "formats": FORMATS,
        },
    )


@require_POST
@role_required(*ADMIN_ROLES)
def enrolment_transition(request, pk, action):
    if action not in results.TRANSITION_ACTIONS:
        raise Http404
    enrolment = get_object_or_404(enrolments_administrable_by(request.user), pk=pk)
    name = enrolment.participant.full_name
    try:
        enrolment = results.enrolment_transition(
            enrolment=enrolment, action=action, actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, f"{name}: {' '.join(exc.messages)}")
    else:
        messages.success(
            request,
            _("%(name)s is now %(state)s.")
            % {"name": name, "state": enrolment.get_state_display().lower()},
        )
    return redirect("enrolment:offering_detail", pk=enrolment.offering_id)


@require_POST
@role_required(*ADMIN_ROLES)
def offering_admit_all(request, pk):
    offering = get_object_or_404(offerings_visible_to(request.user, ADMIN_ROLES), pk=pk)
    result = results.offering_admit_nominated(offering=offering, actor=request.user)
    messages.success(
        request,
        _("Admitted: %(admitted)s. Put on the waitlist: %(waitlisted)s.")
        % {"admitted": len(result.admitted), "waitlisted": len(result.waitlisted)},
    )
    for enrolment, reason in result.refused:
        messages.error(request, f"{enrolment.participant.full_name}: {reason}")
    return redirect("enrolment:offering_detail", pk=offering.pk)


@require_form_methods
@role_required(*ADMIN_ROLES)
def offering_create(request):
    form = OfferingForm(
        request.POST if request.method == "POST" else None,
        courses=_courses_in_reach(request.user),
    )
    if form.is_bound and form.is_valid():
        try:
            offering = results.offering_create(actor=request.user, fields=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The offering was created."))
            return redirect("enrolment:offering_detail", pk=offering.pk)
    return render(request, "enrolment/offerings/form.html", {"form": form, "offering": None})


@require_form_methods
@role_required(*ADMIN_ROLES)
def offering_update(request, pk):
    offering = get_object_or_404(offerings_visible_to(request.user, ADMIN_ROLES), pk=pk)
    form = OfferingForm(
        request.POST if request.method == "POST" else None,
        instance=offering,
        courses=_courses_in_reach(request.user),
    )
    if form.is_bound and form.is_valid():
        try:
            admitted = results.offering_update(
                offering=offering, actor=request.user, fields=form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The offering was saved."))
            if admitted:
                messages.info(
                    request,
                    _("Admitted from the waitlist: %(names)s.")
                    % {"names": ", ".join(e.participant.full_name for e in admitted)},
                )
            return redirect("enrolment:offering_detail", pk=offering.pk)
    return render(request, "enrolment/offerings/form.html", {"form": form, "offering": offering})


@require_form_methods
@role_required(*ADMIN_ROLES)
def offering_results(request, pk):
    offering = get_object_or_404(offerings_visible_to(request.user, ADMIN_ROLES), pk=pk)
    enrolments = (
        enrolments_administrable_by(request.user)
        .filter(offering=offering, state__in=results.RESULT_STATES)
        .order_by("participant__last_name", "participant__first_name", "id")
    )
    formset = result_formset(enrolments, request.POST if request.method == "POST" else None)
    if formset.is_bound and formset.is_valid():
        forms_to_save = [form for form in formset if form.to_save]
        rows = [
            results.ResultRow(
                enrolment=form.enrolment,
                grade=form.cleaned_data["grade"],
                credits=form.cleaned_data["credits"],
                result_date=form.cleaned_data["result_date"],
            )
            for form in forms_to_save
        ]
        try:
            saved = results.results_record(rows=rows, actor=request.user) if rows else []
        except results.ResultsInvalid as exc:
            for index, errors in exc.errors.items():
                for name, message in errors.items():
                    forms_to_save[index].add_error(name, message)
            messages.error(request, _("Nothing was saved. Correct the rows marked below."))
        else:
            if saved:
                messages.success(
                    request, _("%(count)s results were saved.") % {"count": len(saved)}
                )
            else:
                messages.info(request, _("No results were changed."))
            return redirect("enrolment:offering_results", pk=offering.pk)
    elif formset.is_bound:
        messages.error(request, _("Nothing was saved. Correct the rows marked below."))
    return render(
        request,
        "enrolment/offerings/results.html",
        {"offering": offering, "formset": formset, "grades": Grade.choices},
    )


@require_form_methods
@role_required(*ADMIN_ROLES)
def credit_transfer_create(request, participant_pk):
    participant = get_object_or_404(
        participants_visible_to(request.user, ADMIN_ROLES), pk=participant_pk
    )
    programme = (
        programmes_visible_to(request.user, ADMIN_ROLES)
        .filter(region_id=participant.municipality.region_id)
        .order_by("id")
        .first()
    )
    if programme is None:
        raise Http404
    form = CreditTransferForm(
        request.POST if request.method == "POST" else None, programme=programme
    )
    if form.is_bound and form.is_valid():
        try:
            results.credit_transfer_create(
                participant=participant,
                programme=programme,
                slot=form.cleaned_data["slot"],
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
                decided_on=form.cleaned_data["decided_on"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The credit transfer was recorded."))
            return redirect("enrolment:participant_detail", pk=participant.pk)
    return render(
        request,
        "enrolment/offerings/credit_transfer_form.html",
        {
            "participant": participant,
            "programme": programme,
            "form": form,
            "transfers": participant.credit_transfers.select_related("slot", "approved_by"),
        },
    )


@require_safe
@role_required(*VIEW_ROLES)
def offering_participants_export(request, pk, fmt):
    if fmt not in FORMATS:
        raise Http404
    offering = get_object_or_404(offerings_visible_to(request.user, VIEW_ROLES), pk=pk)
    enrolments = _enrolments_in_scope(request.user, offering)
    table = Table(
        title=f"{offering.course.title} {offering.term}",
        headers=[
            _("Name"),
            _("Work e-mail"),
            _("Municipality"),
            _("Administration"),
            _("State"),
            _("Waitlist position"),
            _("Grade"),
            _("Credits (hp)"),
            _("Result date"),
        ],
        rows=(
            [
                e.participant.full_name,
                e.participant.email,
                e.participant.municipality.name,
                e.participant.administration.name if e.participant.administration else "",
                e.get_state_display(),
                e.waitlist_position,
                e.grade,
                e.credits,
                e.result_date,
            ]
            for e in enrolments
        ),
    )
    return table_response(table, fmt, f"deltagare-{offering.term}-{offering.pk}")
