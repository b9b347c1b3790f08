"""Reads of the programme's reference data, scoped by the user's reach."""

from django.db.models import QuerySet

from portal.accounts.scope import AGGREGATE_ROLES, PEOPLE_ROLES, reach, reach_q

from .models import Administration, CourseOffering, Municipality, Programme, Region


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


def programmes_visible_to(user, roles=AGGREGATE_ROLES | PEOPLE_ROLES) -> QuerySet[Programme]:
    return Programme.objects.filter(region__in=regions_visible_to(user, roles))


def offerings_visible_to(user, roles=AGGREGATE_ROLES | PEOPLE_ROLES) -> QuerySet[CourseOffering]:
    """Offerings of the programmes of the regions the user reaches (offerings are public
    within a region: HR needs them to nominate, managers to see what comes next)."""
    return CourseOffering.objects.filter(
        course__slot__programme__region__in=regions_visible_to(user, roles)
    ).select_related("course__slot")


def region_programmes(region_ids=None, queryset=None) -> dict:
    """The programme each region runs, by region id: its first, by id. The one place that
    says which of a region's programmes progress, compliance and the reports are about.

    `queryset` may prefetch, annotate or turn into `values()`; the choice stays the same.
    """
    programmes = (queryset if queryset is not None else Programme.objects.all()).order_by(
        "region_id", "id"
    )
    if region_ids is not None:
        programmes = programmes.filter(region_id__in=region_ids)
    chosen = {}
    for programme in programmes:
        region_id = programme["region_id"] if isinstance(programme, dict) else programme.region_id
        chosen.setdefault(region_id, programme)
    return chosen


def region_programme(region) -> Programme | None:
    region_id = getattr(region, "pk", region)
    found = region_programmes([region_id], Programme.objects.select_related("provider"))
    return found.get(region_id)
