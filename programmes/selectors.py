"""Reads of the programme's reference data, scoped by the user's reach."""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from portal.accounts.models import Role
from portal.accounts.scope import (
    AGGREGATE_ROLES,
    PEOPLE_ROLES,
    has_role,
    national_body_ids,
    reach,
    reach_q,
)

from .models import (
    Administration,
    CourseEquivalence,
    CourseOffering,
    Municipality,
    Programme,
    ProgrammeProvider,
    Region,
)


def regions_visible_to(user, roles=AGGREGATE_ROLES | PEOPLE_ROLES) -> QuerySet[Region]:
    r = reach(user, roles)
    return Region.objects.filter(
        reach_q(
            r,
            region="id",
            municipality="municipalities",
            administration="municipalities__administrations",
        )
    ).distinct()


def reach_key(user, roles=AGGREGATE_ROLES | PEOPLE_ROLES) -> str:
    """The regions, municipalities and administrations the user reaches through `roles`,
    as a key: what the reads scoped by that reach depend on (the offerings, the
    municipalities and administrations a user may choose among)."""
    r = reach(user, roles)
    return "-".join(
        ",".join(map(str, sorted(ids)))
        for ids in (r.region_ids, r.municipality_ids, r.administration_ids)
    )


def municipalities_visible_to(user, roles=PEOPLE_ROLES) -> QuerySet[Municipality]:
    r = reach(user, roles)
    return Municipality.objects.filter(
        reach_q(r, region="region_id", municipality="id", administration="administrations")
    ).distinct()


def administrations_visible_to(user, roles=PEOPLE_ROLES) -> QuerySet[Administration]:
    r = reach(user, roles)
    return Administration.objects.filter(
        reach_q(
            r, region="municipality__region_id", municipality="municipality_id", administration="id"
        )
    )


def _followed_q(regions, prefix: str = "") -> Q:
    """Programmes followed by any of `regions` (a queryset): their own, and the national
    programme for a region without one of its own."""
    without_own = regions.filter(~Exists(Programme.objects.filter(region_id=OuterRef("pk"))))
    return Q(**{f"{prefix}region__in": regions}) | (
        Q(**{f"{prefix}national_body__isnull": False}) & Q(Exists(without_own))
    )


def programmes_visible_to(user, roles=AGGREGATE_ROLES | PEOPLE_ROLES) -> QuerySet[Programme]:
    """Programmes followed by the regions the user reaches, and those of the national
    bodies a national administrator serves."""
    followed = _followed_q(regions_visible_to(user, roles))
    return Programme.objects.filter(followed | Q(national_body_id__in=national_body_ids(user)))


def programmes_managed_by(user) -> QuerySet[Programme]:
    """Programmes whose structure and equivalence table a user keeps: a region's own
    programme for its programme administrators, a national programme for the national
    administrators of its owner."""
    regions = reach(user, frozenset({Role.PROGRAMME_ADMIN})).region_ids
    return Programme.objects.filter(
        Q(region_id__in=regions) | Q(national_body_id__in=national_body_ids(user))
    )


def may_read_programmes(user) -> bool:
    return has_role(user, Role.PROGRAMME_ADMIN, Role.NATIONAL_ADMIN)


def offerings_visible_to(user, roles=AGGREGATE_ROLES | PEOPLE_ROLES) -> QuerySet[CourseOffering]:
    """Offerings of the programmes the regions the user reaches follow (offerings are
    public within a region: HR needs them to nominate, managers to see what comes next)."""
    return CourseOffering.objects.filter(
        _followed_q(regions_visible_to(user, roles), prefix="course__slot__programme__")
    ).select_related("course__slot")


def offered_to_q(municipality) -> Q:
    """Offerings a municipality may take: of the programme its region follows, given by a
    provider that programme allows for the municipality (a programme without a provider
    table is given by its lead provider everywhere)."""
    region_id = municipality.region_id
    own = Programme.objects.filter(region_id=region_id)
    followed = Q(course__slot__programme__region_id=region_id) | (
        Q(course__slot__programme__national_body__isnull=False) & ~Q(Exists(own))
    )
    serves = ProgrammeProvider.objects.filter(
        Q(regions__isnull=True) | Q(regions=region_id),
        Q(municipalities__isnull=True) | Q(municipalities=municipality.pk),
        programme_id=OuterRef("course__slot__programme_id"),
        provider_id=Coalesce(
            OuterRef("provider_id"), OuterRef("course__slot__programme__provider_id")
        ),
    )
    no_table = ~Q(
        Exists(
            ProgrammeProvider.objects.filter(programme_id=OuterRef("course__slot__programme_id"))
        )
    )
    return followed & (Q(Exists(serves)) | no_table)


def offerings_for_municipality(municipality) -> QuerySet[CourseOffering]:
    return CourseOffering.objects.filter(offered_to_q(municipality)).select_related(
        "course__slot", "provider"
    )


def programme_structure(programme: Programme) -> dict:
    """What a programme page shows: slots with their courses, providers with where they
    serve, and the equivalence table."""
    slots = list(programme.slots.prefetch_related("courses").order_by("position"))
    providers = list(
        ProgrammeProvider.objects.filter(programme=programme)
        .select_related("provider")
        .prefetch_related("regions", "municipalities")
    )
    equivalences = list(
        CourseEquivalence.objects.filter(programme=programme).select_related(
            "course__slot__programme", "slot"
        )
    )
    return {"slots": slots, "providers": providers, "equivalences": equivalences}


def region_programmes(region_ids=None, queryset=None) -> dict:
    """The programme each region follows, by region id: its own (the first, by id), or,
    for a region without one, the national programme (the first, by id). The one place
    that says which programme progress, compliance and the reports are about.

    Without `region_ids` the national programme, if any, is given under the key None:
    it is the programme of every region not named.

    `queryset` may prefetch, annotate or turn into `values()`; the choice stays the same.
    """
    programmes = (queryset if queryset is not None else Programme.objects.all()).order_by(
        "region_id", "id"
    )
    if region_ids is not None:
        programmes = programmes.filter(Q(region_id__in=region_ids) | Q(region__isnull=True))
    chosen = {}
    for programme in programmes:
        region_id = programme["region_id"] if isinstance(programme, dict) else programme.region_id
        chosen.setdefault(region_id, programme)
    national = chosen.pop(None, None)
    if national is not None:
        for region_id in region_ids if region_ids is not None else [None]:
            chosen.setdefault(region_id, national)
    return chosen


def region_programme(region) -> Programme | None:
    region_id = getattr(region, "pk", region)
    found = region_programmes([region_id], Programme.objects.select_related("provider"))
    return found.get(region_id)
