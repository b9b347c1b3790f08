import ipaddress

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings
from django.utils.translation import gettext as _

from .sso import SESSION_LOGOUT, passwords_off_for


def client_ip(request) -> str:
    """The address of the person asking. Behind TRUSTED_PROXY_COUNT proxies each one has
    appended the address it was called from to X-Forwarded-For, so the client is that many
    entries from the end; whatever a client wrote further left is not believed."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if not count or not forwarded:
        return remote
    candidate = forwarded[-count] if len(forwarded) >= count else forwarded[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by administrators: nobody signs up on their own."""

    def is_open_for_signup(self, request):
        return False

    def get_client_ip(self, request):
        return client_ip(request)

    def authenticate(self, request, **credentials):
        email = credentials.get("email") or ""
        if passwords_off_for(email):
            raise forms.ValidationError(
                _("Your organisation signs you in with its own account: use its button below."),
                code="passwords_off",
            )
        return super().authenticate(request, **credentials)

    def send_password_reset_mail(self, user, email, context):
        """Where the organisation signs its people in, a password set here could never be
        used: the mail says where to sign in instead of carrying a reset link."""
        if passwords_off_for(email):
            self.send_mail("account/email/password_reset_sso", email, context)
            return
        super().send_password_reset_mail(user, email, context)

    def logout(self, request):
        """End the portal session; offer the provider's log-out on the page that follows."""
        provider_logout = request.session.get(SESSION_LOGOUT)
        super().logout(request)
        if provider_logout:
            request.session[SESSION_LOGOUT] = provider_logout
