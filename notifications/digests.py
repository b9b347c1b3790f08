"""The weekly digest for HR and the monthly summary for heads of administration, each
read through the recipient's own reach and compliance's one computation."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q

from enrolment import facts
from enrolment.compliance import ComplianceRow, Status, compute_compliance, must_start_by
from enrolment.selectors import nomination_requests_for, participants_visible_to
from portal.accounts.models import Role
from programmes.models import OfferingState
from programmes.selectors import municipalities_visible_to, offerings_visible_to


@dataclass
class HrDigest:
    requests: list = field(default_factory=list)
    offerings: list = field(default_factory=list)
    should_start: list[ComplianceRow] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.requests or self.offerings)


def _rows_in_reach(user, role: str, on: date, extra: Q | None = None) -> list[ComplianceRow]:
    roles = frozenset({role})
    in_reach = Q(pk__in=participants_visible_to(user, roles).values("pk"))
    if extra is not None:
        in_reach &= extra
    results = compute_compliance(
        municipalities_visible_to(user, roles).order_by("name"), on, in_reach
    )
    return [row for result in results for row in result.rows]


def hr_digest(user, *, on: date) -> HrDigest:
    """Open requests, offerings whose nomination deadline falls in the coming days, and
    the managers who have not begun nor are waiting and must start by the end of them."""
    horizon = on + timedelta(days=settings.NOTIFICATIONS_DIGEST_DEADLINE_DAYS)
    offerings = list(
        offerings_visible_to(user, frozenset({Role.HR_ADMIN}))
        .filter(state=OfferingState.OPEN, application_deadline__range=(on, horizon))
        .select_related("course")
        .order_by("application_deadline", "course__title")
    )
    digest = HrDigest(
        requests=list(
            nomination_requests_for(user).filter(
                participant__in=participants_visible_to(user, frozenset({Role.HR_ADMIN}))
            )
        ),
        offerings=offerings,
    )
    if offerings:
        last_end = max(o.end_date for o in offerings)
        idle = ~facts.begun_exists(on=on) & ~facts.under_way_exists(on=on)
        digest.should_start = must_start_by(
            _rows_in_reach(user, Role.HR_ADMIN, on, idle), by=last_end
        )
    return digest


def head_summary(user, *, on: date) -> list[ComplianceRow]:
    """The overdue and at-risk managers in a head of administration's reach."""
    return [
        row
        for row in _rows_in_reach(user, Role.HEAD_OF_ADMINISTRATION, on)
        if row.status in (Status.OVERDUE, Status.AT_RISK)
    ]
