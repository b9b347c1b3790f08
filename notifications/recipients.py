"""Who receives a message about a manager, at which address and in which language."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q

from portal.accounts.models import Role


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str
    user: object | None = None


def language_of(user) -> str:
    supported = {code for code, _name in settings.LANGUAGES}
    chosen = getattr(user, "preferred_language", "") if user is not None else ""
    return chosen if chosen in supported else settings.LANGUAGE_CODE


def manager(participant) -> Recipient:
    """The manager, at their work e-mail."""
    user = participant.user if participant.user_id else None
    return Recipient(email=participant.email, language=language_of(user), user=user)


def staff_of(participant, role: str) -> list[Recipient]:
    """The holders of a role whose reach covers the manager's municipality or administration."""
    reach = Q(role_assignments__municipality_id=participant.municipality_id)
    if participant.administration_id:
        reach |= Q(role_assignments__administration_id=participant.administration_id)
    users = (
        get_user_model()
        .objects.filter(reach, role_assignments__role=role, is_active=True)
        .distinct()
        .order_by("email")
    )
    return [Recipient(email=u.email, language=language_of(u), user=u) for u in users]


def hr_of(participant) -> list[Recipient]:
    return staff_of(participant, Role.HR_ADMIN)


def users_with_role(role: str):
    return (
        get_user_model()
        .objects.filter(role_assignments__role=role, is_active=True)
        .distinct()
        .order_by("email")
    )
