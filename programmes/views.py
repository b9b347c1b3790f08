"""Programme pages: the structure, the providers and the equivalence table, for
programme administrators and national administrators."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.decorators import require_form_methods, require_safe, role_required
from portal.accounts.models import Role

from .forms import EquivalenceForm
from .selectors import programme_structure, programmes_managed_by, programmes_visible_to
from .services import equivalence_add, equivalence_remove

READERS = (Role.PROGRAMME_ADMIN, Role.NATIONAL_ADMIN)
READER_ROLES = frozenset(READERS)


def _visible(user):
    return programmes_visible_to(user, READER_ROLES).select_related(
        "region", "national_body", "provider"
    )


@require_safe
@role_required(*READERS)
def programme_list(request):
    return render(
        request,
        "programmes/programme_list.html",
        {"programmes": _visible(request.user).order_by("title")},
    )


@require_form_methods
@role_required(*READERS)
def programme_detail(request, pk):
    programme = get_object_or_404(_visible(request.user), pk=pk)
    manages = programmes_managed_by(request.user).filter(pk=programme.pk).exists()
    form = EquivalenceForm(request.POST or None, programme=programme)
    if request.method == "POST":
        if not manages:
            raise Http404
        if form.is_valid():
            try:
                equivalence_add(user=request.user, programme=programme, **form.cleaned_data)
            except ValidationError as error:
                for field, texts in error.message_dict.items():
                    for text in texts:
                        form.add_error(field if field in form.fields else None, text)
            else:
                messages.success(request, _("The equivalence was added."))
                return redirect("programmes:programme_detail", pk=programme.pk)
    return render(
        request,
        "programmes/programme_detail.html",
        {
            "programme": programme,
            "manages": manages,
            "form": form,
            **programme_structure(programme),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@role_required(*READERS)
def equivalence_delete(request, pk, equivalence_pk):
    programme = get_object_or_404(programmes_managed_by(request.user), pk=pk)
    equivalence_remove(user=request.user, programme=programme, equivalence_id=equivalence_pk)
    messages.success(request, _("The equivalence was removed."))
    return redirect("programmes:programme_detail", pk=programme.pk)
