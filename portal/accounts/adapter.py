from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.utils.translation import gettext as _

from .sso import SESSION_LOGOUT, passwords_off_for


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by administrators: nobody signs up on their own."""

    def is_open_for_signup(self, request):
        return False

    def authenticate(self, request, **credentials):
        email = credentials.get("email") or ""
        if passwords_off_for(email):
            raise forms.ValidationError(
                _("Your organisation signs you in with its own account: use its button below."),
                code="passwords_off",
            )
        return super().authenticate(request, **credentials)

    def logout(self, request):
        """End the portal session; offer the provider's log-out on the page that follows."""
        provider_logout = request.session.get(SESSION_LOGOUT)
        super().logout(request)
        if provider_logout:
            request.session[SESSION_LOGOUT] = provider_logout
