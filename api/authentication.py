"""`Authorization: Bearer <key>`: the token's person, limited to the token's role."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from portal.accounts.scope import act_with

from .models import ApiToken, hash_key


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Give the key as “Authorization: Bearer <key>”.")
            )
        try:
            key = parts[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("The key is not valid.")) from exc
        token = (
            ApiToken.objects.select_related("assignment__user")
            .filter(key_hash=hash_key(key))
            .first()
        )
        if token is None or not token.is_active or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The key is not valid or has been revoked."))
        user = token.user
        act_with(user, token.assignment)
        token.mark_used()
        return user, token

    def authenticate_header(self, request):
        return self.keyword
