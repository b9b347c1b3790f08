"""Reads of managers and their enrolments, scoped by the user's reach."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from portal.accounts.models import Role
from portal.accounts.scope import (
    AGGREGATE_ROLES,
    EDITOR_ROLES,
    PEOPLE_ROLES,
    has_role,
    reach,
    reach_q,
)
from portal.daycache import kept
from programmes.models import CourseOffering, Municipality, OfferingState
from programmes.selectors import offered_to_q

from . import facts, setbased
from .models import (
    Enrolment,
    EnrolmentEvent,
    EnrolmentState,
    NominationRequest,
    NominationRequestState,
    Participant,
)
from .progress import DONE_STATUSES, ProgrammeStatus, SlotStatus, with_programme_status
from .services.enrolments import SEAT_STATES


def participants_visible_to(user, roles=PEOPLE_ROLES | {Role.MANAGER}) -> QuerySet[Participant]:
    """The managers a user may see one by one: those in the reach of their roles, and,
    for a manager, themself. Council members see none: they read aggregates only.

    `roles` narrows the reach to some of the user's roles, e.g. for one role's dashboard.
    """
    r = reach(user, roles & PEOPLE_ROLES)
    q = reach_q(
        r,
        region="municipality__region_id",
        municipality="municipality_id",
        administration="administration_id",
    )
    if Role.MANAGER in roles and has_role(user, Role.MANAGER):
        q |= Q(user_id=user.pk)
    return Participant.objects.filter(q).select_related("municipality", "administration", "cohort")


def participant_for_user(user) -> Participant | None:
    """The participant record a manager's account is linked to."""
    if not has_role(user, Role.MANAGER):
        return None
    return (
        Participant.objects.select_related("municipality", "administration")
        .filter(user_id=user.pk)
        .first()
    )


def participants_for_aggregates(user) -> QuerySet[Participant]:
    """Managers counted in the regional figures a user may read (council, programme
    administrators). For counting only: never rendered one by one."""
    r = reach(user, AGGREGATE_ROLES)
    return Participant.objects.filter(reach_q(r, region="municipality__region_id")).select_related(
        "municipality"
    )


@dataclass
class MunicipalityOverview:
    municipality: object
    managers: int = 0
    started: int = 0
    completed: int = 0
    credits: Decimal = Decimal("0")


def overview_by_municipality(participants) -> list[MunicipalityOverview]:
    """Counts per municipality of managers in post today: how many started and completed.

    Counted in the database (the SQL form of progress), so a start page over a whole
    region costs one query, not a pass over every manager in Python.
    """
    on = timezone.localdate()
    in_post = participants.filter(facts.in_post_q(on=on))
    if setbased.is_supported():
        counted = setbased.standing_counts(in_post, on, group_by="current_municipality_id")
        rows = {}
        for (municipality_id, status), (n, hp) in counted.items():
            row = rows.setdefault(
                municipality_id,
                {
                    "municipality_id": municipality_id,
                    "managers": 0,
                    "started": 0,
                    "completed": 0,
                    "credits": Decimal(0),
                },
            )
            row["managers"] += n
            row["started"] += n if status != ProgrammeStatus.NOT_STARTED else 0
            row["completed"] += n if status in DONE_STATUSES else 0
            row["credits"] += hp
        rows = list(rows.values())
    else:
        rows = list(
            with_programme_status(in_post, on)
            .order_by()
            .values("municipality_id")
            .annotate(
                managers=Count("pk"),
                started=Count("pk", filter=~Q(programme_status=ProgrammeStatus.NOT_STARTED)),
                completed=Count("pk", filter=Q(programme_status__in=DONE_STATUSES)),
                credits=Sum("hp"),
            )
        )
    names = Municipality.objects.in_bulk([r["municipality_id"] for r in rows])
    return sorted(
        (
            MunicipalityOverview(
                municipality=names[r["municipality_id"]],
                managers=r["managers"],
                started=r["started"],
                completed=r["completed"],
                credits=r["credits"] or Decimal("0"),
            )
            for r in rows
        ),
        key=lambda row: row.municipality.name,
    )


def participants_editable_by(user) -> QuerySet[Participant]:
    """Managers a user may change and nominate: HR and programme administrators' reach."""
    return participants_visible_to(user, EDITOR_ROLES)


def may_edit(user, participant: Participant) -> bool:
    """Whether `participants_editable_by(user)` holds a manager already read (with their
    municipality), asked without a query."""
    return reach(user, EDITOR_ROLES).covers(
        region_id=participant.municipality.region_id,
        municipality_id=participant.municipality_id,
        administration_id=participant.administration_id,
    )


def enrolments_administrable_by(user) -> QuerySet[Enrolment]:
    """Enrolments whose admission and results a user decides: the programme
    administrators of the region the offering belongs to."""
    r = reach(user, frozenset({Role.PROGRAMME_ADMIN}))
    return Enrolment.objects.filter(
        reach_q(r, region="offering__course__slot__programme__region_id")
    ).select_related("participant__municipality", "offering__course__slot")


def with_withdrawn_from(enrolments: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    """Each enrolment with `withdrawn_from`: the state its withdrawal ended (None when it
    was not withdrawn), read in the same query. A withdrawal is final, so there is at most
    one; `standing.enrolment_label` tells a withdrawn nomination from a course left."""
    withdrawal = EnrolmentEvent.objects.filter(
        enrolment=OuterRef("pk"), to_state=EnrolmentState.WITHDRAWN
    ).order_by("-at", "-id")
    return enrolments.annotate(withdrawn_from=Subquery(withdrawal.values("from_state")[:1]))


def _free_slots(progress) -> list[int]:
    return [s.slot.pk for s in progress.slots if s.status == SlotStatus.NOT_STARTED]


def _open_offered(municipality) -> QuerySet[CourseOffering]:
    """Open offerings the municipality may take (`offered_to_q`), in the order pages list
    them."""
    return (
        CourseOffering.objects.filter(offered_to_q(municipality), state=OfferingState.OPEN)
        .select_related("course__slot")
        .order_by("term_index", "course__slot__position", "course__title")
    )


def offerings_open_to(participant: Participant, progress) -> QuerySet[CourseOffering]:
    """Open offerings the manager's municipality may take (`offered_to_q`) for the slots
    they have neither filled nor started."""
    free_slots = _free_slots(progress)
    if not free_slots:
        return CourseOffering.objects.none()
    return _open_offered(participant.municipality).filter(course__slot_id__in=free_slots)


def offerings_open_to_listed(participant: Participant, progress) -> list[CourseOffering]:
    """`offerings_open_to` for a page to list: the municipality's open offerings are kept
    until a write (the same for each of its managers), then chosen by the free slots."""
    free_slots = set(_free_slots(progress))
    if not free_slots:
        return []
    municipality = participant.municipality
    offered = kept("open-offerings", (municipality.pk,), lambda: list(_open_offered(municipality)))
    return [o for o in offered if o.course.slot_id in free_slots]


def nomination_requests_for(user) -> QuerySet[NominationRequest]:
    """Open requests from managers whom the user may nominate."""
    return (
        NominationRequest.objects.filter(
            state=NominationRequestState.OPEN,
            participant__in=participants_editable_by(user),
        )
        .select_related("participant__municipality", "offering__course")
        .order_by("created_at")
    )


def with_seat_counts(offerings: QuerySet[CourseOffering]) -> QuerySet[CourseOffering]:
    """Offerings with their seats taken, free seats and waitlist, counted in the query."""
    return offerings.annotate(
        seats_taken=Count("enrolments", filter=Q(enrolments__state__in=SEAT_STATES)),
        waitlist_length=Count("enrolments", filter=Q(enrolments__state=EnrolmentState.WAITLISTED)),
        nominated_count=Count("enrolments", filter=Q(enrolments__state=EnrolmentState.NOMINATED)),
    ).annotate(seats_free=Greatest(F("seats") - F("seats_taken"), Value(0)))


def page_standing(participants, on) -> dict[int, "setbased.Standing"]:
    """Where each manager of a page stands on the day, compliance included, by id: one
    query for the page on PostgreSQL; elsewhere (the SQLite demo) from the Python forms."""
    if not participants:
        return {}
    queryset = Participant.objects.filter(pk__in=[p.pk for p in participants])
    if setbased.is_supported():
        return {
            row.participant_id: row for row in setbased.standing_rows(queryset, on, compliance=True)
        }
    from programmes.models import Municipality as _Municipality

    from .compliance import compute_compliance
    from .progress import programme_status, progress_for

    progress = progress_for(participants, on)
    judged = {
        row.participant.pk: (result.municipality.pk, row)
        for result in compute_compliance(
            _Municipality.objects.order_by("pk"), on, Q(pk__in=queryset.values("pk"))
        )
        for row in result.rows
    }
    rows = {}
    for p in participants:
        mine = progress[p.pk]
        where, row = judged.get(p.pk, (None, None))
        rows[p.pk] = setbased.Standing(
            participant_id=p.pk,
            current_municipality_id=p.municipality_id,
            slot_count=len(mine.slots),
            slots_filled=mine.slots_filled,
            hp=mine.credits,
            programme_exempt=mine.exempt_from_programme,
            programme_complete=mine.is_complete,
            programme_status=programme_status(p, mine, on=on),
            begun=mine.begun,
            holds_seat=mine.holds_seat,
            completed_on=mine.completed_on,
            municipality_id=where,
            compliance_status=row.status if row else None,
            compliance_deadline=row.deadline if row else None,
            start_by=row.start_by if row else None,
            complete_by=row.complete_by if row else None,
        )
    return rows
