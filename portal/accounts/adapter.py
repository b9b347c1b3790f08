import ipaddress

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


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
