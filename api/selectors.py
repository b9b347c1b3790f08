"""Reads of API tokens, scoped by the reach of the person who manages them."""

from django.db.models import QuerySet

from portal.accounts.models import Role, RoleAssignment
from portal.accounts.scope import EDITOR_ROLES, reach, reach_q

from .models import ApiToken


def assignments_tokenable_by(user) -> QuerySet[RoleAssignment]:
    """Role assignments a user may issue tokens for: those within what they may edit
    (a programme administrator's region, an HR administrator's municipality). A token
    never acts as a manager: managers see only themselves."""
    r = reach(user, EDITOR_ROLES)
    q = (
        reach_q(r, region="region_id")
        | reach_q(r, region="municipality__region_id", municipality="municipality_id")
        | reach_q(
            r,
            region="administration__municipality__region_id",
            municipality="administration__municipality_id",
            administration="administration_id",
        )
    )
    return (
        RoleAssignment.objects.filter(q)
        .exclude(role=Role.MANAGER)
        .select_related("user", "region", "municipality", "administration")
        .order_by("user__email", "role", "pk")
    )


def tokens_visible_to(user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(
        assignment__in=assignments_tokenable_by(user).values("pk")
    ).select_related(
        "assignment__user",
        "assignment__region",
        "assignment__municipality",
        "assignment__administration",
        "created_by",
    )
