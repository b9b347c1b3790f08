"""Who may order, see and download which report: one rule, built on the user's reach.

A report may be downloaded by whoever may order the same report now, so losing a role
loses the files too. Heads of one administration reach only that administration, which
gives them the progress report for it but not the municipality's compliance report.
The council reads the regional follow-up only: it holds no names.
"""

from django.db.models import Q, QuerySet

from enrolment import setbased
from enrolment.models import Participant
from portal.accounts.models import Role
from portal.accounts.scope import AGGREGATE_ROLES, PEOPLE_ROLES, has_role, reach, reach_q
from programmes.models import Administration, Municipality, Region

from .models import (
    Certificate,
    ReportKind,
    ReportRequest,
    ReportScope,
    ReportSubscription,
)

CERTIFICATE_ROLES = frozenset({Role.PROGRAMME_ADMIN})
# Everyone who may open the reports page: each role has something there.
REPORT_ROLES = PEOPLE_ROLES | AGGREGATE_ROLES | {Role.MANAGER}


def municipalities_orderable_by(user) -> QuerySet[Municipality]:
    """Municipalities whose whole-municipality reports a user may order: reached through
    the region or the municipality itself, not through one of its administrations."""
    r = reach(user, PEOPLE_ROLES)
    return Municipality.objects.filter(reach_q(r, region="region_id", municipality="id"))


def administrations_orderable_by(user) -> QuerySet[Administration]:
    r = reach(user, PEOPLE_ROLES)
    return Administration.objects.filter(
        reach_q(
            r, region="municipality__region_id", municipality="municipality_id", administration="id"
        )
    ).select_related("municipality")


def regions_orderable_by(user) -> QuerySet[Region]:
    return Region.objects.filter(reach_q(reach(user, AGGREGATE_ROLES), region="id"))


def certificate_participants_for(user) -> QuerySet[Participant]:
    """Managers whose certificate a user may order: a programme administrator's region,
    and a manager's own record."""
    q = reach_q(reach(user, CERTIFICATE_ROLES), region="municipality__region_id")
    if has_role(user, Role.MANAGER):
        q |= Q(user_id=user.pk)
    return Participant.objects.filter(q).select_related("municipality", "administration")


def regional_reach(user) -> bool:
    """Whether the user reads a region's aggregates, and so its regional report."""
    return bool(reach(user, AGGREGATE_ROLES).region_ids)


def kinds_orderable_by(user) -> list[str]:
    """The kinds of report the user may order. The regional report is counted in
    PostgreSQL only (`enrolment.setbased`): not on the embedded SQLite of a demo."""
    people = reach(user, PEOPLE_ROLES)
    kinds = []
    if people:
        kinds.append(ReportKind.PROGRESS)
    if people.region_ids or people.municipality_ids:
        kinds.append(ReportKind.COMPLIANCE)
    if regional_reach(user) and setbased.is_supported():
        kinds.append(ReportKind.REGIONAL)
    if has_role(user, *CERTIFICATE_ROLES, Role.MANAGER):
        kinds.append(ReportKind.CERTIFICATE)
    return kinds


def may_order(user, kind, scope: ReportScope) -> bool:
    if not scope.fits(kind):
        return False
    if kind == ReportKind.PROGRESS and scope.administration is not None:
        found = administrations_orderable_by(user).filter(pk=scope.administration.pk)
    elif kind in (ReportKind.PROGRESS, ReportKind.COMPLIANCE):
        found = municipalities_orderable_by(user).filter(pk=scope.municipality.pk)
    elif kind == ReportKind.REGIONAL:
        found = regions_orderable_by(user).filter(pk=scope.region.pk)
    else:
        found = certificate_participants_for(user).filter(pk=scope.participant.pk)
    return found.exists()


def reports_visible_to(user) -> QuerySet[ReportRequest]:
    """Report requests the user may follow and download: those they may order now."""
    people = reach(user, PEOPLE_ROLES)
    whole_municipality = Q(
        kind__in=[ReportKind.PROGRESS, ReportKind.COMPLIANCE], administration__isnull=True
    ) & reach_q(people, region="municipality__region_id", municipality="municipality_id")
    one_administration = Q(kind=ReportKind.PROGRESS, administration__isnull=False) & reach_q(
        people,
        region="administration__municipality__region_id",
        municipality="administration__municipality_id",
        administration="administration_id",
    )
    regional = Q(kind=ReportKind.REGIONAL) & reach_q(
        reach(user, AGGREGATE_ROLES), region="region_id"
    )
    certificates = reach_q(
        reach(user, CERTIFICATE_ROLES), region="participant__municipality__region_id"
    )
    if has_role(user, Role.MANAGER):
        certificates |= Q(participant__user_id=user.pk)
    q = (
        whole_municipality
        | one_administration
        | regional
        | (Q(kind=ReportKind.CERTIFICATE) & certificates)
    )
    return ReportRequest.objects.filter(q).select_related(
        "region", "municipality", "administration__municipality", "participant"
    )


def report_list(*, user, limit: int = 30) -> list[ReportRequest]:
    """The newest reports a user may follow, their own and those of others in the same
    scope (an identical request is shared, not made twice)."""
    return list(reports_visible_to(user).order_by("-created_at", "-id")[:limit])


def certificates_administrable_by(user) -> QuerySet[Certificate]:
    """Certificates a programme administrator may revoke: those of their region."""
    r = reach(user, CERTIFICATE_ROLES)
    return Certificate.objects.filter(
        reach_q(r, region="participant__municipality__region_id")
    ).select_related("participant__municipality", "programme")


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate a verification code names, for the public page."""
    code = (code or "").strip().upper()
    if not code or len(code) > 32:
        return None
    return Certificate.objects.select_related("participant", "programme").filter(code=code).first()


def subscriptions_of(user) -> QuerySet[ReportSubscription]:
    return ReportSubscription.objects.filter(user=user, active=True).select_related(
        "municipality", "administration__municipality"
    )
