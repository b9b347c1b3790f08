"""Single sign-on, the accounts' part: which provider vouches for which addresses.

The sign-in itself (who an identity may become) is `portal.sso.SocialAccountAdapter`;
the password log-in asks `passwords_off_for` here.
"""

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
