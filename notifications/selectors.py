"""Reads of the sent log and of a person's choices, scoped by the user who asks."""

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet

from enrolment.selectors import participant_for_user
from portal.accounts.models import Role
from portal.accounts.scope import has_role, reach, reach_q

from .kinds import HEAD_KINDS, HR_KINDS, MANAGER_KINDS
from .models import Message, MessageState, OptOut


def failed_messages_for(user) -> QuerySet[Message]:
    """Messages that could not be sent, about managers in a programme administrator's
    region (digests to staff of the region included)."""
    r = reach(user, frozenset({Role.PROGRAMME_ADMIN}))
    about = reach_q(r, region="participant__municipality__region_id")
    to_staff = Q(participant__isnull=True) & (
        reach_q(r, region="user__role_assignments__municipality__region_id")
        | reach_q(r, region="user__role_assignments__administration__municipality__region_id")
    )
    return (
        Message.objects.filter(Q(state=MessageState.FAILED) & (about | to_staff))
        .select_related("participant__municipality")
        .distinct()
        .order_by("-created_at", "-id")
    )


def messages_to_resend(*, now: datetime) -> list[int]:
    """Pending messages whose time has come and that no queued task will send: written
    while the broker was away, or whose retry was lost with a worker."""
    grace = now - timedelta(minutes=10)
    return list(
        Message.objects.filter(
            Q(next_attempt_at__lte=grace) | Q(next_attempt_at__isnull=True, created_at__lte=grace),
            state=MessageState.PENDING,
        )
        .order_by("id")
        .values_list("id", flat=True)[:500]
    )


def own_addresses(user) -> list[str]:
    """The addresses a person's messages go to: the account's, and a manager's work e-mail."""
    addresses = [user.email.lower()]
    participant = participant_for_user(user)
    if participant is not None and participant.email.lower() not in addresses:
        addresses.append(participant.email.lower())
    return addresses


def kinds_offered_to(user) -> list[str]:
    """The kinds of message a person can receive, by their roles, in a fixed order."""
    offered = []
    if has_role(user, Role.MANAGER):
        offered += MANAGER_KINDS
    if has_role(user, Role.HR_ADMIN):
        offered += HR_KINDS
    if has_role(user, Role.HEAD_OF_ADMINISTRATION):
        offered += HEAD_KINDS
    return list(dict.fromkeys(offered))


def kinds_turned_off(user) -> set[str]:
    return set(OptOut.objects.filter(email__in=own_addresses(user)).values_list("kind", flat=True))
