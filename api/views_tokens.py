"""Pages where programme and HR administrators issue and revoke the API's keys."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.decorators import require_form_methods, role_required
from portal.accounts.scope import EDITOR_ROLES

from .forms import TokenForm
from .selectors import tokens_visible_to
from .services import token_create, token_revoke

editor_required = role_required(*EDITOR_ROLES)


@require_form_methods
@editor_required
def token_list(request):
    form = TokenForm(request.POST or None, user=request.user)
    new_key = None
    if request.method == "POST" and form.is_valid():
        token, new_key = token_create(
            user=request.user,
            assignment=form.cleaned_data["assignment"],
            name=form.cleaned_data["name"],
        )
        form = TokenForm(user=request.user)
    tokens = tokens_visible_to(request.user).order_by("-created_at")
    return render(request, "api/tokens.html", {"form": form, "tokens": tokens, "new_key": new_key})


@require_POST
@editor_required
def token_revoke_view(request, pk):
    token = token_revoke(user=request.user, token_id=pk)
    messages.success(request, _("The key for %(name)s was revoked.") % {"name": token.name})
    return redirect("api:token_list")
