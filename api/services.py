"""Issuing and revoking API tokens."""

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from portal.accounts.models import RoleAssignment

from .models import ApiToken, hash_key, new_key
from .selectors import assignments_tokenable_by, tokens_visible_to


def token_create(*, user, assignment: RoleAssignment, name: str) -> tuple[ApiToken, str]:
    """A new token acting as `assignment`, and its key: the only time the key is known."""
    if not assignments_tokenable_by(user).filter(pk=assignment.pk).exists():
        raise Http404
    key = new_key()
    token = ApiToken.objects.create(
        name=name.strip(),
        assignment=assignment,
        key_hash=hash_key(key),
        key_start=key[:10],
        created_by=user,
    )
    return token, key


def token_revoke(*, user, token_id: int) -> ApiToken:
    with transaction.atomic():
        token = tokens_visible_to(user).select_for_update(of=("self",)).filter(pk=token_id).first()
        if token is None:
            raise Http404
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return token
