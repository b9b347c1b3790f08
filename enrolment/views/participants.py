"""The managers pages (chefer) for HR and programme administrators: the list with its
filters, export and bulk nomination; one manager's page; adding, editing and leaving."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from portal.accounts.access import opened
from portal.accounts.decorators import require_form_methods, require_safe, role_required
from portal.accounts.scope import EDITOR_ROLES, PEOPLE_ROLES, has_role
from portal.daycache import kept
from portal.exports import table_response
from portal.widgets import choices_read
from programmes.models import CourseOffering, OfferingState
from programmes.selectors import (
    municipalities_visible_to,
    offered_to_q,
    offerings_visible_to,
    reach_key,
)

from .. import facts
from ..compliance import Status, participant_compliance
from ..filters import ParticipantFilter
from ..forms_participants import (
    BulkNominationForm,
    NominationForm,
    ParticipantEditForm,
    ParticipantLeaveForm,
    TakeOverForm,
)
from ..mandates import deadlines_of, mandates_of
from ..models import EnrolmentEvent, Position
from ..progress import ProgrammeStatus, SlotStatus, progress_of
from ..selectors import (
    may_edit,
    page_standing,
    participants_editable_by,
    participants_visible_to,
)
from ..services.enrolments import (
    NominationNeedsConfirmation,
    enrolment_nominate,
    enrolments_nominate,
    nomination_plan,
)
from ..services.participants import (
    TAKE_OVER_ROLES,
    participant_create,
    participant_record_leaving,
    participant_take_over,
    participant_update,
    take_over_check,
    take_over_offered,
)
from ..tables import audit_trail, participants_table

PAGE_SIZE = 50
FORM_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "employee_number",
    "administration",
    "operational_area",
    "position",
    "appointed_on",
)


people_required = role_required(*PEOPLE_ROLES)
editor_required = role_required(*EDITOR_ROLES)


def _filtered(request):
    queryset = participants_visible_to(request.user, PEOPLE_ROLES)
    return ParticipantFilter(request.GET or None, queryset=queryset, user=request.user)


class _CountedPaginator(Paginator):
    """A paginator told how to count, so the count need not join what only the sort
    needs."""

    def __init__(self, object_list, per_page, *, count):
        super().__init__(object_list, per_page)
        self._count = count

    @cached_property
    def count(self):
        return self._count()


def _open_offerings(user):
    return offerings_visible_to(user).filter(state=OfferingState.OPEN)


BULK_FORM_ID = "bulk-nominate"


@dataclass
class BulkNominationView:
    form: BulkNominationForm | None = None
    checkboxes: dict = field(default_factory=dict)
    # The user may nominate, but no offering is open: the page says so instead.
    nothing_open: bool = False


def bulk_nomination(user, participants, *, form_id=BULK_FORM_ID) -> BulkNominationView:
    """The form that nominates some of the managers shown, and a checkbox per manager the
    user may nominate (others are shown, not chosen). No form when the user may not
    nominate any of them or nothing is open."""
    if not has_role(user, *EDITOR_ROLES) or not participants:
        return BulkNominationView()
    offerings = _open_offerings(user)
    # Read once for the page: whether any is open, and the options; kept until a write
    # for every user of the same reach.
    open_now = kept("open-offerings-reach", (reach_key(user),), lambda: list(offerings))
    if not open_now:
        return BulkNominationView(nothing_open=True)
    editable = participants_editable_by(user).filter(pk__in=[p.pk for p in participants])
    form = BulkNominationForm(offerings=offerings, participants=editable, form_id=form_id)
    choices_read(form.fields["offering"], open_now)
    # A checkbox needs the manager's id and name only, not the posts the queryset joins.
    choices_read(
        form.fields["participants"],
        editable.select_related(None).only("pk", "first_name", "last_name"),
    )
    checkboxes = {int(str(w.data["value"])): w for w in form["participants"]}
    return BulkNominationView(form, checkboxes) if checkboxes else BulkNominationView()


@require_safe
@people_required
def participant_list(request):
    filterset = _filtered(request)
    paginator = _CountedPaginator(filterset.qs, PAGE_SIZE, count=filterset.count)
    page = paginator.get_page(request.GET.get("page"))
    participants = list(page.object_list)
    # Where the managers shown stand, in one query for the page (the filters and the sort
    # have already used it for every manager where they needed it).
    standings = page_standing(participants, timezone.localdate())
    can_edit = has_role(request.user, *EDITOR_ROLES)
    bulk = bulk_nomination(request.user, participants)
    status_labels = dict(ProgrammeStatus.choices)
    rows = [
        {
            "participant": p,
            "url": reverse("enrolment:participant_detail", args=[p.pk]),
            "standing": standings[p.pk],
            "status": status_labels[standings[p.pk].programme_status],
            "compliance": Status.LABELS.get(standings[p.pk].compliance_status, ""),
            "checkbox": bulk.checkboxes.get(p.pk),
        }
        for p in participants
    ]
    return render(
        request,
        "enrolment/participants/list.html",
        {
            "filter": filterset,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "rows": rows,
            "bulk_form": bulk.form,
            "bulk_form_id": BULK_FORM_ID,
            "can_nominate": bulk.form is not None,
            "nothing_open": bulk.nothing_open,
            "can_create": can_edit,
            "can_take_over": has_role(request.user, *TAKE_OVER_ROLES),
            "query": _list_query(request.GET),
            "ordering": _current_ordering(request.GET, filterset),
        },
    )


def _current_ordering(params, filterset) -> str:
    """The sort the rows are in, for the column headers; name unless a valid one is asked."""
    ordering = params.get("ordering", "")
    return ordering if ordering.lstrip("-") in filterset.filters["ordering"].param_map else "name"


def _list_query(params) -> str:
    """The list's filters as a query string, without the page (kept across a POST)."""
    query = params.copy()
    query.pop("page", None)
    return query.urlencode()


@require_safe
@people_required
def participant_export(request, fmt):
    filterset = _filtered(request)
    participants = filterset.annotated().select_related("municipality", "administration")
    opened(request, participants=participants.values_list("pk", flat=True), what="export")
    return table_response(participants_table(participants), fmt, _("managers"))


def _back(request) -> str:
    """Where a bulk nomination returns: the page it was sent from (compliance, who must
    start), or the managers list with its filters."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    back = reverse("enrolment:participant_list")
    query = QueryDict(request.POST.get("query", "")).urlencode()
    return f"{back}?{query}" if query else back


@require_POST
@editor_required
def participant_bulk_nominate(request):
    form = BulkNominationForm(
        request.POST,
        offerings=offerings_visible_to(request.user),
        participants=participants_editable_by(request.user),
    )
    back = _back(request)
    if not form.is_valid():
        if form.has_unknown_ids() or form.has_error("confirmed"):
            raise Http404
        if form.has_error("participants"):
            messages.error(request, _("Choose at least one manager to nominate."))
        if form.has_error("offering"):
            messages.error(request, _("Choose a course offering to nominate to."))
        return redirect(back)
    offering = form.cleaned_data["offering"]
    result = enrolments_nominate(
        participants=form.cleaned_data["participants"],
        offering=offering,
        actor=request.user,
        confirmed=form.cleaned_data["confirmed"],
    )
    if result.nominated:
        messages.success(
            request,
            ngettext(
                "%(count)d manager was nominated to %(offering)s.",
                "%(count)d managers were nominated to %(offering)s.",
                len(result.nominated),
            )
            % {"count": len(result.nominated), "offering": offering},
        )
    for participant, reason in result.refused:
        messages.warning(
            request,
            _("%(name)s was not nominated: %(reason)s")
            % {"name": participant.full_name, "reason": reason},
        )
    if result.warned:
        # Nothing more is saved until the user has read the warnings and goes on.
        return render(
            request,
            "enrolment/participants/nominate_confirm.html",
            {
                "offering": offering,
                "warned": result.warned,
                "codes": result.warning_codes,
                "back": back,
            },
        )
    return redirect(back)


def _detail(request, participant, *, nomination_form=None, warnings=None):
    user = request.user
    today = timezone.localdate()
    can_edit = may_edit(user, participant)
    # The manager's enrolments, decisions and mandates are read once: progress, the plan,
    # compliance, the deadlines and the list of courses are all made from these rows.
    enrolments = list(
        participant.enrolments.select_related("offering__course__slot")
        .prefetch_related(
            Prefetch("events", queryset=EnrolmentEvent.objects.select_related("actor"))
        )
        .order_by("offering__term_index", "id")
    )
    progress = progress_of(participant, today, enrolments=enrolments)
    next_slot = progress.next_slot
    decisions = list(participant.deadline_decisions.select_related("decided_by"))
    mandates = mandates_of(participant.municipality_id)
    next_offerings = []
    left = facts.has_left(participant, on=today)
    if next_slot is not None and not left:
        next_offerings = list(_offerings_for_slot(next_slot.slot).filter(state=OfferingState.OPEN))
    nothing_open = False
    if can_edit and not left:
        offered = _nomination_offerings(request.user, participant, progress)
        if nomination_form is None:
            nomination_form = _nomination_form(participant, offered)
            # The offerings are read once: for the choices, and to know there are any.
            listed = list(offered)
            choices_read(nomination_form.fields["offering"], listed)
            if not listed:
                # Nothing to choose from: say so rather than show an empty form.
                nomination_form, nothing_open = None, True
        else:
            # Re-shown after an error: offer the same choices as before.
            nomination_form.fields["offering"].queryset = offered
    else:
        nomination_form = None
    return render(
        request,
        "enrolment/participants/detail.html",
        {
            "participant": participant,
            "progress": progress,
            "compliance": participant_compliance(
                participant, on=today, progress=progress, decisions=decisions, mandates=mandates
            ),
            "plan": (
                nomination_plan(participant, progress, enrolments=enrolments) if can_edit else None
            ),
            "enrolments": enrolments,
            "next_slot": next_slot,
            "next_offerings": next_offerings,
            "can_edit": can_edit,
            "nomination_form": nomination_form,
            "nothing_open": nothing_open,
            "nomination_warnings": warnings,
            "audit_trail": audit_trail(participant) if can_edit else None,
            "deadlines": deadlines_of(participant, today, decisions=decisions, mandates=mandates),
            "deadline_decisions": sorted(
                decisions, key=lambda d: (d.decided_on, d.pk), reverse=True
            ),
        },
    )


def _offerings_for_slot(slot):
    """Offerings of a slot of the manager's own programme. Offerings are public within a
    region and the manager is already known to be in the user's scope; a manager reading
    their own page reaches no region through offerings_visible_to, yet must see these."""
    return CourseOffering.objects.filter(course__slot=slot).select_related("course__slot")


def _nomination_offerings(user, participant, progress=None):
    """The offerings an editor may nominate this manager to: any the user sees in the
    manager's region (the service says why one cannot be used, e.g. closed meanwhile);
    with `progress`, only the open ones in slots neither filled nor under way, to offer."""
    offerings = offerings_visible_to(user).filter(offered_to_q(participant.municipality))
    if progress is None:
        return offerings
    taken = [sp.slot.pk for sp in progress.slots if sp.status != SlotStatus.NOT_STARTED]
    return offerings.filter(state=OfferingState.OPEN).exclude(course__slot_id__in=taken)


def _nomination_form(participant, offerings, data=None):
    return NominationForm(
        data,
        offerings=offerings,
        action=reverse("enrolment:participant_nominate", args=[participant.pk]),
    )


@require_safe
@login_required
def participant_detail(request, pk):
    participant = get_object_or_404(participants_visible_to(request.user), pk=pk)
    opened(
        request,
        participants=[participant],
        what="page",
        regions={participant.pk: participant.municipality.region_id},
    )
    return _detail(request, participant)


@require_POST
@editor_required
def participant_nominate(request, pk):
    participant = get_object_or_404(participants_editable_by(request.user), pk=pk)
    form = _nomination_form(
        participant, _nomination_offerings(request.user, participant), request.POST
    )
    if not form.is_valid():
        if form.has_unknown_ids() or form.has_error("confirmed"):
            raise Http404
        return _detail(request, participant, nomination_form=form)
    offering = form.cleaned_data["offering"]
    try:
        enrolment_nominate(
            participant=participant,
            offering=offering,
            actor=request.user,
            confirmed=form.cleaned_data["confirmed"],
        )
    except NominationNeedsConfirmation as exc:
        return _detail(request, participant, nomination_form=form, warnings=exc.warnings)
    except ValidationError as exc:
        form.add_error(None, exc.messages[0])
        return _detail(request, participant, nomination_form=form)
    messages.success(
        request,
        _("%(name)s was nominated to %(offering)s.")
        % {"name": participant.full_name, "offering": offering},
    )
    return redirect("enrolment:participant_detail", pk=participant.pk)


def _add_errors(form, exc: ValidationError):
    """A service's errors on the form: on their field when the form has it."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _posted(request):
    return request.POST if request.method == "POST" else None


def _editable_municipalities(user):
    municipalities = list(municipalities_visible_to(user, EDITOR_ROLES).order_by("name"))
    if not municipalities:
        raise Http404
    return municipalities


def _save_details(form, service, **kwargs):
    details = {name: form.cleaned_data[name] for name in FORM_FIELDS}
    try:
        return service(municipality=form.municipality, **details, **kwargs)
    except ValidationError as exc:
        _add_errors(form, exc)
        return None


@require_form_methods
@editor_required
def participant_create_view(request):
    municipalities = _editable_municipalities(request.user)
    form = ParticipantEditForm(_posted(request), user=request.user, municipalities=municipalities)
    if request.method == "POST" and form.is_valid():
        participant = _save_details(form, participant_create, user=request.user)
        if participant is not None:
            messages.success(request, _("%(name)s was added.") % {"name": participant.full_name})
            return redirect("enrolment:participant_detail", pk=participant.pk)
    take_over_email = None
    if form.has_error("email", "duplicate") and take_over_offered(
        user=request.user, email=request.POST.get("email", "")
    ):
        take_over_email = request.POST["email"].strip().lower()
    return render(
        request,
        "enrolment/participants/form.html",
        {"form": form, "participant": None, "take_over_email": take_over_email},
    )


@require_form_methods
@editor_required
def participant_update_view(request, pk):
    participant = get_object_or_404(participants_editable_by(request.user), pk=pk)
    municipalities = _editable_municipalities(request.user)
    form = ParticipantEditForm(
        _posted(request),
        instance=participant,
        user=request.user,
        municipalities=municipalities,
    )
    if request.method == "POST" and form.is_valid():
        saved = _save_details(
            form,
            participant_update,
            user=request.user,
            participant=participant,
            moved_on=form.cleaned_data.get("moved_on"),
        )
        if saved is not None:
            messages.success(request, _("The changes were saved."))
            return redirect("enrolment:participant_detail", pk=saved.pk)
    return render(
        request, "enrolment/participants/form.html", {"form": form, "participant": participant}
    )


@require_form_methods
@editor_required
def participant_leave(request, pk):
    participant = get_object_or_404(participants_editable_by(request.user), pk=pk)
    form = ParticipantLeaveForm(_posted(request), participant=participant)
    if request.method == "POST" and form.is_valid():
        try:
            participant_record_leaving(
                user=request.user, participant=participant, left_on=form.cleaned_data["left_on"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is recorded as having left the manager role.")
                % {"name": participant.full_name},
            )
            return redirect("enrolment:participant_detail", pk=participant.pk)
    return render(
        request, "enrolment/participants/leave.html", {"form": form, "participant": participant}
    )


@require_form_methods
@role_required(*TAKE_OVER_ROLES)
def participant_take_over_view(request):
    """Take over a manager who moves in from a municipality outside the user's reach: the
    details, then a page that says what will happen and asks to confirm. Until then the
    page names no one: only the address typed and "a manager in another municipality"."""
    if request.method == "POST" and request.POST.get("start"):
        # Sent from the add form: begin with the address the user typed there.
        form = TakeOverForm(user=request.user, initial={"email": request.POST.get("email", "")})
        return render(request, "enrolment/participants/take_over.html", {"form": form})
    form = TakeOverForm(_posted(request), user=request.user)
    if request.method != "POST":
        return render(request, "enrolment/participants/take_over.html", {"form": form})
    if not form.is_valid():
        if form.has_unknown_ids():
            raise Http404
        return _take_over_page(request, form)
    cleaned = form.cleaned_data
    where = {name: cleaned[name] for name in ("email", "municipality", "administration")}
    where["moved_on"] = cleaned["moved_on"]
    try:
        if not cleaned["confirmed"]:
            take_over_check(user=request.user, **where)
            return _take_over_page(request, form, confirming=True)
        participant = participant_take_over(
            user=request.user,
            position=cleaned["position"],
            operational_area=cleaned["operational_area"],
            employee_number=cleaned["employee_number"],
            **where,
        )
    except ValidationError as exc:
        _add_errors(form, exc)
        return _take_over_page(request, form)
    messages.success(
        request,
        _("%(name)s was taken over from %(date)s.")
        % {"name": participant.full_name, "date": cleaned["moved_on"].isoformat()},
    )
    return redirect("enrolment:participant_detail", pk=participant.pk)


def _take_over_page(request, form, *, confirming=False):
    # A form with errors answers 422 (portal.middleware.FormErrorStatusMiddleware).
    position = form.cleaned_data.get("position") if confirming else ""
    return render(
        request,
        "enrolment/participants/take_over.html",
        {
            "form": form,
            "confirming": confirming,
            "position_label": dict(Position.choices).get(position, ""),
        },
    )
