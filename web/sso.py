"""Sign-in through a municipality's or region's own identity provider (django-allauth).

Who an identity may become, in order:

1. the provider is tied to a municipality or region (`IdentityProvider`), vouches for the
   address's domain, and says the address is verified — else the sign-in is refused;
2. the account with that address signs in, whatever roles it has been given;
3. else a manager (participant) with that work e-mail and no account yet gets one, with
   the manager role and nothing else;
4. anyone else is refused. No role is ever granted by signing in alone.
"""

from urllib.parse import urlencode

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.db import transaction
from django.db.models.functions import Lower
from django.shortcuts import render

from enrolment.models import Participant
from portal.accounts.models import Role, RoleAssignment
from portal.accounts.sso import SESSION_LOGOUT, provider_config, user_with_email, verified_email


def participant_without_account(email: str) -> Participant | None:
    return (
        Participant.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower=email, user__isnull=True)
        .first()
    )


def _refused(request):
    return ImmediateHttpResponse(render(request, "account/sso_refused.html", status=403))


def _logout_offer(request, sociallogin) -> dict | None:
    """The provider's own log-out, offered after the portal's (OpenID Connect's
    end_session_endpoint); None where the provider has none."""
    app = sociallogin.provider.app
    if sociallogin.provider.id != "openid_connect":
        return None
    from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter

    endpoint = OpenIDConnectOAuth2Adapter(request, app.provider_id).openid_config.get(
        "end_session_endpoint"
    )
    if not endpoint:
        return None
    return {"name": app.name, "url": f"{endpoint}?{urlencode({'client_id': app.client_id})}"}


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request, sociallogin):
        config = provider_config(sociallogin.provider.app)
        email = verified_email(sociallogin)
        if config is None or email is None or not config.vouches_for(email):
            raise _refused(request)
        if sociallogin.is_existing:
            if sociallogin.user.email.lower() != email:
                raise _refused(request)
        else:
            user = user_with_email(email)
            if user is not None:
                sociallogin.connect(request, user)
            elif participant_without_account(email) is None:
                raise _refused(request)
        request.session[SESSION_LOGOUT] = _logout_offer(request, sociallogin)

    def is_open_for_signup(self, request, sociallogin):
        email = verified_email(sociallogin)
        return bool(email and participant_without_account(email))

    def save_user(self, request, sociallogin, form=None):
        with transaction.atomic():
            user = super().save_user(request, sociallogin, form)
            participant = participant_without_account(user.email.lower())
            if participant is None:
                raise _refused(request)
            user.first_name, user.last_name = participant.first_name, participant.last_name
            user.save(update_fields=["first_name", "last_name"])
            RoleAssignment.objects.get_or_create(user=user, role=Role.MANAGER)
            participant.user = user
            participant._history_user = user
            participant.save(update_fields=["user", "updated_at"])
        return user
