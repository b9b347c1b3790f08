"""Importing managers from HR's file: upload, preview, confirm.

Between the preview and the confirmation the uploaded bytes wait in the cache (Redis in
production, shared by every web process), under a random token that only the uploader's
session holds, for an hour at most; a new upload replaces the one waiting. The
confirmation reads the same bytes and validates them again before anything is written,
since the stored managers may have changed in between.
"""

import secrets
from datetime import date

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal.accounts.decorators import require_form_methods, require_safe, role_required
from portal.accounts.models import Role
from portal.exports import FORMATS, Table, table_response

from ..models import OperationalArea, Position
from ..services.imports import (
    COLUMNS,
    MAX_BYTES,
    MAX_ROWS,
    ImportPreview,
    municipalities_importable_by,
    participants_import_apply,
    participants_import_preview,
)

SESSION_KEY = "participant_import"
CACHE_SECONDS = 60 * 60

importers = role_required(Role.HR_ADMIN, Role.PROGRAMME_ADMIN)


class ParticipantImportForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label=gettext_lazy("Municipality"), queryset=None, empty_label=None
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV (semicolon-separated, as Excel saves it) or Excel workbook (.xlsx), "
            "at most 5 MB and 5,000 managers."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError(
                _("The file is larger than %(limit)s MB. Split it into smaller files.")
                % {"limit": MAX_BYTES // (1024 * 1024)},
                code="too_large",
            )
        return upload


def _cache_key(user, token):
    return f"participant-import:{user.pk}:{token}"


def _forget_pending(request):
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        cache.delete(_cache_key(request.user, pending["token"]))


def _render_upload(request, form, status=200):
    return render(
        request,
        "enrolment/imports/upload.html",
        {
            "form": form,
            "columns": COLUMNS,
            "max_rows": MAX_ROWS,
            "operational_areas": OperationalArea.choices,
            "positions": Position.choices,
        },
        status=status,
    )


def _render_preview(request, preview: ImportPreview, municipality, token, status=200):
    return render(
        request,
        "enrolment/imports/preview.html",
        {"preview": preview, "municipality": municipality, "token": token},
        status=status,
    )


@require_form_methods
@importers
def participant_import(request):
    municipalities = municipalities_importable_by(request.user)
    if not municipalities.exists():
        raise Http404
    if request.method != "POST":
        form = ParticipantImportForm(
            municipalities=municipalities, initial={"municipality": municipalities.first()}
        )
        return _render_upload(request, form)
    form = ParticipantImportForm(request.POST, request.FILES, municipalities=municipalities)
    if not form.is_valid():
        return _render_upload(request, form)
    municipality = form.cleaned_data["municipality"]
    upload = form.cleaned_data["file"]
    content = upload.read(MAX_BYTES + 1)
    preview = participants_import_preview(
        file_name=upload.name, content=content, municipality=municipality
    )
    if preview.file_errors:
        for message in preview.file_errors:
            form.add_error("file", message)
        return _render_upload(request, form)
    _forget_pending(request)
    token = None
    if not preview.has_errors and preview.has_work:
        token = secrets.token_urlsafe(24)
        cache.set(_cache_key(request.user, token), content, CACHE_SECONDS)
        request.session[SESSION_KEY] = {
            "token": token,
            "municipality": municipality.pk,
            "file_name": upload.name,
        }
    return _render_preview(request, preview, municipality, token)


@require_POST
@importers
def participant_import_apply(request):
    pending = request.session.get(SESSION_KEY)
    if not pending or request.POST.get("token") != pending["token"]:
        messages.warning(
            request,
            _(
                "No checked file is waiting to be imported, or another file was uploaded since. "
                "Upload the file again."
            ),
        )
        return redirect("enrolment:participant_import")
    municipality = get_object_or_404(
        municipalities_importable_by(request.user), pk=pending["municipality"]
    )
    content = cache.get(_cache_key(request.user, pending["token"]))
    if content is None:
        request.session.pop(SESSION_KEY, None)
        messages.warning(request, _("The checked file has expired. Upload it again to import it."))
        return redirect("enrolment:participant_import")
    preview = participants_import_preview(
        file_name=pending["file_name"], content=content, municipality=municipality
    )
    try:
        result = participants_import_apply(
            preview=preview, municipality=municipality, actor=request.user
        )
    except ValidationError as exc:
        _forget_pending(request)
        messages.error(request, " ".join(exc.messages))
        # Show the file against what is stored now, so the user sees what stopped it.
        fresh = participants_import_preview(
            file_name=pending["file_name"], content=content, municipality=municipality
        )
        return _render_preview(request, fresh, municipality, token=None, status=409)
    _forget_pending(request)
    messages.success(
        request,
        _(
            "The file was imported into %(municipality)s: %(created)s new managers, "
            "%(updated)s updated, %(unchanged)s unchanged."
        )
        % {
            "municipality": municipality.name,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        },
    )
    return redirect("enrolment:participant_import")


@require_safe
@importers
def participant_import_template(request, file_format):
    if file_format not in FORMATS:
        raise Http404
    example = [
        "Anna",
        "Exempelsson",
        "anna.exempelsson@kommun.se",
        "12345",
        "Socialförvaltningen",
        "Äldreomsorg/hemtjänst",
        "Enhetschef",
        date(2024, 3, 1),
        None,
    ]
    table = Table(title=_("Managers"), headers=list(COLUMNS.values()), rows=[example])
    return table_response(table, file_format, "chefer-importmall")
