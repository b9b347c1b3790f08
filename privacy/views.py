"""Pages for personal data: register extracts, the access log, the public texts."""

import json

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from enrolment.selectors import participants_editable_by
from portal.accounts.access import opened
from portal.accounts.decorators import require_form_methods, require_safe, role_required
from portal.accounts.models import Role
from portal.accounts.scope import has_role, reach
from programmes.models import Region
from reporting.builders import render_pdf

from .models import AccessKind, PublicText
from .selectors import PAGES, access_log_for, public_text, register_extract

EDITORS = (Role.HR_ADMIN, Role.PROGRAMME_ADMIN)


def _extract(request, pk):
    participant = get_object_or_404(participants_editable_by(request.user), pk=pk)
    opened(request, participants=[participant], what=AccessKind.EXTRACT)
    with translation.override("sv"):
        return participant, register_extract(participant)


def _download(content, content_type, name):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_safe
@role_required(*EDITORS)
def extract_json(request, pk):
    participant, sections = _extract(request, pk)
    body = json.dumps(
        {
            "registerutdrag": str(participant),
            "datum": timezone.localdate().isoformat(),
            "avsnitt": [{"rubrik": title, "poster": items} for title, items in sections],
        },
        ensure_ascii=False,
        indent=2,
    )
    return _download(body, "application/json; charset=utf-8", f"registerutdrag-{pk}.json")


@require_safe
@role_required(*EDITORS)
def extract_pdf(request, pk):
    participant, sections = _extract(request, pk)
    with translation.override("sv"):
        pdf = render_pdf(
            "privacy/extract_pdf.html",
            {
                "title": _("Register extract"),
                "participant": participant,
                "sections": sections,
                "data_date": timezone.localdate(),
                "reference": f"registerutdrag-{pk}",
            },
            lambda percent: None,
        )
    return _download(pdf, "application/pdf", f"registerutdrag-{pk}.pdf")


@require_safe
@role_required(Role.PROGRAMME_ADMIN)
def access_log(request):
    entries = access_log_for(request.user)[:500]
    return render(request, "privacy/access_log.html", {"entries": entries})


@require_safe
def public_page(request, page):
    kind = PAGES.get(page)
    if kind is None:
        raise Http404
    text = public_text(kind=kind, language=get_language())
    return render(
        request,
        f"privacy/{page}.html",
        {
            "heading": kind.label,
            "text": text,
            "page": page,
            "can_edit": request.user.is_authenticated
            and has_role(request.user, Role.PROGRAMME_ADMIN),
        },
    )


class PublicTextForm(forms.ModelForm):
    class Meta:
        model = PublicText
        fields = ["body_sv", "body_en"]
        widgets = {
            "body_sv": forms.Textarea(attrs={"rows": 14}),
            "body_en": forms.Textarea(attrs={"rows": 14}),
        }


@require_form_methods
@role_required(Role.PROGRAMME_ADMIN)
def public_text_edit(request, page):
    kind = PAGES.get(page)
    regions = reach(request.user, frozenset({Role.PROGRAMME_ADMIN})).region_ids
    region = Region.objects.filter(pk__in=regions).order_by("pk").first()
    if kind is None or region is None:
        raise Http404
    instance = PublicText.objects.filter(region=region, kind=kind).first() or PublicText(
        region=region, kind=kind
    )
    form = PublicTextForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The text is saved."))
        return redirect("privacy:page", page=page)
    return render(
        request,
        "privacy/text_edit.html",
        {"form": form, "page": page, "kind": kind},
        status=400 if form.is_bound else 200,
    )
