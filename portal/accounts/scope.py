"""The one place that decides what part of the region a user reaches.

Every selector in the portal builds its querysets from `reach()` and `reach_q()`, so the
rule is written once. Anything outside the reach is a 404 by construction, because views
fetch objects through the scoped querysets.
"""

from dataclasses import dataclass

from django.db.models import Q

from .models import Role

# Roles that may see individual managers within their reach.
PEOPLE_ROLES = frozenset({Role.PROGRAMME_ADMIN, Role.HR_ADMIN, Role.HEAD_OF_ADMINISTRATION})
# Roles that may read regional aggregates (never individuals, for the council).
AGGREGATE_ROLES = frozenset({Role.PROGRAMME_ADMIN, Role.COUNCIL})
# Roles that may change managers and nominate them.
EDITOR_ROLES = frozenset({Role.PROGRAMME_ADMIN, Role.HR_ADMIN})


@dataclass(frozen=True)
class Reach:
    """Ids of the regions, municipalities and administrations a set of roles reaches."""

    region_ids: frozenset[int] = frozenset()
    municipality_ids: frozenset[int] = frozenset()
    administration_ids: frozenset[int] = frozenset()

    def __bool__(self):
        return bool(self.region_ids or self.municipality_ids or self.administration_ids)


def _assignments(user):
    """The user's role assignments, loaded once per request and kept on the user."""
    if not getattr(user, "is_authenticated", False):
        return ()
    cached = getattr(user, "_role_assignments_cache", None)
    if cached is None:
        cached = tuple(
            user.role_assignments.values_list(
                "role", "region_id", "municipality_id", "administration_id"
            )
        )
        user._role_assignments_cache = cached
    return cached


def roles_of(user) -> frozenset[str]:
    return frozenset(role for role, *_ in _assignments(user))


def has_role(user, *roles) -> bool:
    return not roles_of(user).isdisjoint(roles)


def reach(user, roles=PEOPLE_ROLES) -> Reach:
    regions, municipalities, administrations = set(), set(), set()
    for role, region_id, municipality_id, administration_id in _assignments(user):
        if role not in roles:
            continue
        if region_id:
            regions.add(region_id)
        if municipality_id:
            municipalities.add(municipality_id)
        if administration_id:
            administrations.add(administration_id)
    return Reach(frozenset(regions), frozenset(municipalities), frozenset(administrations))


def reach_q(
    r: Reach,
    *,
    region: str | None = None,
    municipality: str | None = None,
    administration: str | None = None,
) -> Q:
    """A filter for a model, given the lookups that lead from it to each level.

    An empty reach gives a filter that matches nothing, never an unfiltered queryset.
    A level the model cannot be placed at is given as None; reach at that level then
    grants nothing on this model.
    """
    q = Q(pk__in=[])
    if region and r.region_ids:
        q |= Q(**{f"{region}__in": r.region_ids})
    if municipality and r.municipality_ids:
        q |= Q(**{f"{municipality}__in": r.municipality_ids})
    if administration and r.administration_ids:
        q |= Q(**{f"{administration}__in": r.administration_ids})
    return q


def forget(user):
    """Drop the cached role assignments after they change."""
    if hasattr(user, "_role_assignments_cache"):
        del user._role_assignments_cache


def act_with(user, assignment):
    """Let the user act with one of their role assignments only (an API token's): every
    reach, role check and selector then sees that one assignment and nothing else."""
    user._role_assignments_cache = (
        (
            assignment.role,
            assignment.region_id,
            assignment.municipality_id,
            assignment.administration_id,
        ),
    )
