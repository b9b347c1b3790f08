"""Single sign-on, the accounts' part: which provider vouches for which addresses.

The sign-in itself (who an identity may become) is `web.sso.SocialAccountAdapter`;
the password log-in asks `passwords_off_for` here.
"""

from urllib.parse import urlsplit

from django.db.models.functions import Lower

from .models import IdentityProvider, User

SESSION_LOGOUT = "sso_logout"


def provider_config(app) -> IdentityProvider | None:
    if app is None or app.pk is None:
        return None
    return IdentityProvider.objects.filter(app=app).first()


def verified_email(sociallogin) -> str | None:
    for address in sociallogin.email_addresses:
        if address.verified and address.email:
            return address.email.strip().lower()
    return None


def user_with_email(email: str) -> User | None:
    return User.objects.annotate(email_lower=Lower("email")).filter(email_lower=email).first()


def passwords_off_for(email: str) -> bool:
    domain = email.strip().rpartition("@")[2].lower()
    if not domain:
        return False
    return any(
        domain in provider.domains
        for provider in IdentityProvider.objects.filter(local_passwords_off=True)
    )


def sign_in_origin(app) -> str | None:
    """Where a provider's button sends the browser (through the portal's redirect), for the
    CSP's form-action: the OpenID Connect server's or the SAML sign-on address's origin."""
    settings = app.settings or {}
    url = settings.get("server_url") or (settings.get("idp") or {}).get("sso_url") or ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"
