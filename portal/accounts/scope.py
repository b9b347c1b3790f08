"""The one place that decides what part of the region a user reaches.

Every selector in the portal builds its querysets from `reach()` and `reach_q()`, so the
rule is written once. Anything outside the reach is a 404 by construction, because views
fetch objects through the scoped querysets.
"""

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q

from .models import Role

# Roles that may see individual managers within their reach.
PEOPLE_ROLES = frozenset({Role.PROGRAMME_ADMIN, Role.HR_ADMIN, Role.HEAD_OF_ADMINISTRATION})
# Roles that may read regional aggregates (never individuals, for the council and the
# national administrator).
AGGREGATE_ROLES = frozenset({Role.PROGRAMME_ADMIN, Role.COUNCIL, Role.NATIONAL_ADMIN})
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

    def covers(self, *, region_id=None, municipality_id=None, administration_id=None) -> bool:
        """`reach_q` for one object already read, placed by its ids at each level."""
        return (
            region_id in self.region_ids
            or municipality_id in self.municipality_ids
            or administration_id in self.administration_ids
        )


def _assignments(user):
    """The user's role assignments, loaded once per request and kept on the user."""
    if not getattr(user, "is_authenticated", False):
        return ()
    cached = getattr(user, "_role_assignments_cache", None)
    if cached is None:
        rows = user.role_assignments.values_list(
            "role", "region_id", "municipality_id", "administration_id", "national_body_id"
        )
        cached = tuple(_expand(row) for row in rows)
        cached = tuple(assignment for group in cached for assignment in group)
        user._role_assignments_cache = cached
    return cached


def _expand(row):
    """A role assignment as (role, region, municipality, administration) rows. A national
    administrator reaches every region, at the level of aggregates only (the role is in
    AGGREGATE_ROLES and in no other set), so the rest of the door is unchanged."""
    role, region_id, municipality_id, administration_id, national_body_id = row
    if role != Role.NATIONAL_ADMIN:
        return ((role, region_id, municipality_id, administration_id),)
    regions = apps.get_model("programmes", "Region").objects.values_list("id", flat=True)
    return ((role, None, None, None),) + tuple((role, pk, None, None) for pk in regions)


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


def national_body_ids(user) -> frozenset[int]:
    """The national bodies a user serves as national administrator."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_national_bodies_cache", None)
    if cached is None:
        if Role.NATIONAL_ADMIN not in roles_of(user):
            cached = frozenset()
        else:
            cached = frozenset(
                user.role_assignments.filter(role=Role.NATIONAL_ADMIN).values_list(
                    "national_body_id", flat=True
                )
            )
        user._national_bodies_cache = cached
    return cached


def forget(user):
    """Drop the cached role assignments after they change."""
    for name in ("_role_assignments_cache", "_national_bodies_cache"):
        if hasattr(user, name):
            delattr(user, name)


def act_with(user, assignment):
    """Let the user act with one of their role assignments only (an API token's): every
    reach, role check and selector then sees that one assignment and nothing else."""
    user._national_bodies_cache = frozenset(
        {assignment.national_body_id} if assignment.national_body_id else ()
    )
    user._role_assignments_cache = _expand(
        (
            assignment.role,
            assignment.region_id,
            assignment.municipality_id,
            assignment.administration_id,
            assignment.national_body_id,
        )
    )
