"""The reports page ("Rapporter"), report files, subscriptions and certificates."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from enrolment import setbased
from enrolment.progress import progress_of
from enrolment.selectors import participant_for_user
from portal.accounts.decorators import require_form_methods, require_safe, role_required
from portal.accounts.models import Role
from portal.accounts.scope import PEOPLE_ROLES, has_role

from . import selectors
from .forms import (
    CertificateOrderForm,
    ComplianceOrderForm,
    OwnCertificateForm,
    ProgressOrderForm,
    RegionalOrderForm,
    RevokeForm,
    SubscriptionForm,
)
from .models import ReportKind, ReportState
from .selectors import (
    REPORT_ROLES,
    certificate_by_code,
    certificates_administrable_by,
    kinds_orderable_by,
    regional_reach,
    reports_visible_to,
    subscriptions_of,
)
from .services.certificates import certificate_revoke as revoke
from .services.requests import report_request
from .services.subscriptions import subscription_end as end_subscription
from .services.subscriptions import subscription_start

ORDER_FORMS = {
    ReportKind.PROGRESS: ProgressOrderForm,
    ReportKind.COMPLIANCE: ComplianceOrderForm,
    ReportKind.REGIONAL: RegionalOrderForm,
}


def _order_form(user, kind, data=None):
    """The order form for a kind of report, or None when the user has none to fill in."""
    if kind in ORDER_FORMS:
        return ORDER_FORMS[kind](data, user=user)
    if has_role(user, Role.PROGRAMME_ADMIN):
        return CertificateOrderForm(data, user=user)
    participant = participant_for_user(user)
    if participant is None:
        return None
    return OwnCertificateForm(data, user=user, participant=participant)


# The query parameter naming the report just ordered, on the list it is sent to.
NEW_REPORT = "report"


def _new_report(request, reports):
    """The report just ordered, if the list shows it (the list is scoped already)."""
    value = request.GET.get(NEW_REPORT, "")
    if not value.isdigit():
        return None
    return next((report for report in reports if report.pk == int(value)), None)


def _render_list(request, bound=None, subscription_form=None, status=200):
    user = request.user
    order_forms = []
    own_certificate = None
    for kind in kinds_orderable_by(user):
        form = bound if bound is not None and bound.kind == kind else _order_form(user, kind)
        if isinstance(form, OwnCertificateForm):
            progress = progress_of(form.participant)
            own_certificate = {"complete": progress.is_complete, "progress": progress}
            if not progress.is_complete or progress.exempt_from_programme:
                continue
        if form is not None:
            order_forms.append(form)
    reports = selectors.report_list(user=user)
    context = {
        "order_forms": order_forms,
        "own_certificate": own_certificate,
        "reports": reports,
        "new_report": _new_report(request, reports),
        "may_subscribe": has_role(user, *PEOPLE_ROLES),
        "regional_needs_postgresql": not setbased.is_supported() and regional_reach(user),
    }
    if context["may_subscribe"]:
        context["subscriptions"] = list(subscriptions_of(user))
        context["subscription_form"] = subscription_form or SubscriptionForm(user=user)
    if has_role(user, Role.PROGRAMME_ADMIN):
        context["certificates"] = list(
            certificates_administrable_by(user).order_by("-issued_on", "-id")[:50]
        )
    return render(request, "reporting/report_list.html", context, status=status)


@require_safe
@role_required(*REPORT_ROLES)
def report_list(request):
    return _render_list(request)


@require_POST
@role_required(*REPORT_ROLES)
def report_order(request, kind):
    if kind not in kinds_orderable_by(request.user):
        raise Http404
    form = _order_form(request.user, kind, request.POST)
    if form is None:
        raise Http404
    if not form.is_valid():
        messages.error(request, _("The report was not ordered: see the form below."))
        return _render_list(request, bound=form, status=400)
    asked_at = timezone.now()
    try:
        report = report_request(
            user=request.user,
            kind=kind,
            scope=form.scope(),
            data_date=form.data_date(),
            period=form.period(),
            language=request.LANGUAGE_CODE,
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return _render_list(request, bound=form, status=400)
    if report.state == ReportState.FAILED:
        messages.error(request, report.error_message)
    elif report.created_at < asked_at:
        messages.info(request, _("The same report is already being made; it is listed below."))
    else:
        messages.success(
            request, _("The report has been ordered. It is listed below while it is being made.")
        )
    # The list marks the row ordered: focus moves to it and a live region announces it.
    return redirect(f"{reverse('reporting:report_list')}?{NEW_REPORT}={report.pk}")


@require_safe
@never_cache
@role_required(*REPORT_ROLES)
def report_status(request, pk):
    """One row of the list, which htmx polls until the report is done or failed."""
    report = get_object_or_404(reports_visible_to(request.user), pk=pk)
    return render(request, "reporting/_report_row.html", {"report": report})


@require_safe
@never_cache
@role_required(*REPORT_ROLES)
def report_download(request, pk):
    """The file, for whoever may order the same report now: scope is checked again."""
    report = get_object_or_404(reports_visible_to(request.user), pk=pk)
    if report.is_active:
        messages.info(request, _("The report is still being made. Its link works when it is done."))
        return redirect("reporting:report_list")
    if not report.is_done:
        raise Http404
    try:
        handle = report.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    name = slugify(f"{report.get_kind_display()} {report.scope_label} {report.data_date}")
    return FileResponse(
        handle, as_attachment=True, filename=f"{name}.pdf", content_type="application/pdf"
    )


@require_POST
@role_required(*PEOPLE_ROLES)
def subscription_create(request):
    form = SubscriptionForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("The subscription was not started: see the form below."))
        return _render_list(request, subscription_form=form, status=400)
    try:
        subscription = subscription_start(
            user=request.user, kind=form.cleaned_data["kind"], scope=form.scope()
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return _render_list(request, subscription_form=form, status=400)
    messages.success(
        request,
        _("You will receive the %(report)s for %(scope)s by e-mail every month.")
        % {"report": subscription.get_kind_display().lower(), "scope": subscription.scope_label},
    )
    return redirect("reporting:report_list")


@require_POST
@role_required(*REPORT_ROLES)
def subscription_end(request, pk):
    subscription = get_object_or_404(subscriptions_of(request.user), pk=pk)
    end_subscription(subscription=subscription)
    messages.success(request, _("The subscription has ended."))
    return redirect("reporting:report_list")


@require_form_methods
@role_required(Role.PROGRAMME_ADMIN)
def certificate_revoke(request, pk):
    certificate = get_object_or_404(certificates_administrable_by(request.user), pk=pk)
    action = reverse("reporting:certificate_revoke", args=[certificate.pk])
    form = RevokeForm(request.POST or None, action=action)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                revoke(
                    certificate=certificate,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                messages.error(request, exc.messages[0])
            else:
                messages.success(
                    request,
                    _("The certificate of %(name)s has been revoked.")
                    % {"name": certificate.participant.full_name},
                )
            return redirect("reporting:report_list")
        status = 400
    return render(
        request,
        "reporting/certificate_revoke.html",
        {"certificate": certificate, "form": form},
        status=status,
    )


@require_safe
def certificate_verify(request, code):
    """Public: anyone holding a certificate's code may check it. Shows only the name, the
    programme and the date of issue."""
    certificate = certificate_by_code(code)
    if certificate is None:
        return render(
            request, "reporting/certificate_verify.html", {"certificate": None}, status=404
        )
    return render(request, "reporting/certificate_verify.html", {"certificate": certificate})
