"""Compliance with a municipality's mandate, derived from progress, never stored by hand.

For each manager in the scope of the mandate in force on a given day, exactly one status
with the deadline it was judged against and a one-line reason:

- exempt: a credit transfer or exemption for the whole programme, for a manager whose
  slots were not already all filled (`enrolment.facts`: a decision never erases a
  completion);
- completed: every slot filled;
- paused: a deadline decision stops the clock on the day (never overdue meanwhile);
- overdue: the completion deadline has passed, or the start deadline has passed without
  the programme begun (`enrolment.facts.begins`: a seat on an offering that has started;
  a nomination, a waitlist place or a credit transfer is no start);
- at risk: at one course a term, using the offerings already scheduled and assuming one
  course a term after the last of them, the missing slots cannot be finished by the
  completion deadline;
- not started: no course begun, still inside the start window;
- on track: everything else.

A whole municipality is computed in a fixed number of queries.
"""

import copy
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.daycache import kept
from programmes.models import CourseOffering, OfferingState
from programmes.terms import Term

from . import facts
from .mandates import (
    applies_to,
    deadlines_for,
    mandate_in_force,
    mandates_of,
    obligation_start,
)
from .models import DeadlineDecision, Mandate, Participant, PreviousPost
from .progress import Progress, progress_for


class Status:
    COMPLETED = "completed"
    EXEMPT = "exempt"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"
    NOT_STARTED = "not_started"
    PAUSED = "paused"

    ORDER = (OVERDUE, AT_RISK, NOT_STARTED, ON_TRACK, PAUSED, COMPLETED, EXEMPT)
    LABELS = {
        COMPLETED: gettext_lazy("Completed"),
        EXEMPT: gettext_lazy("Exempt"),
        ON_TRACK: gettext_lazy("On track"),
        AT_RISK: gettext_lazy("At risk"),
        OVERDUE: gettext_lazy("Overdue"),
        NOT_STARTED: gettext_lazy("Not started"),
        PAUSED: gettext_lazy("Paused"),
    }


@dataclass
class ComplianceRow:
    participant: Participant
    progress: Progress
    status: str
    deadline: date | None
    reason: str
    start_by: date | None = None
    complete_by: date | None = None

    @property
    def status_label(self):
        return Status.LABELS[self.status]


@dataclass
class MunicipalityCompliance:
    municipality: object
    on: date
    mandate: Mandate | None
    rows: list[ComplianceRow] = field(default_factory=list)
    # Counts per status made in the database (`compliance_summary`), without rows.
    counted: dict[str, int] | None = None

    @property
    def counts(self) -> dict[str, int]:
        counted = self.counted if self.counted is not None else Counter(r.status for r in self.rows)
        return {status: counted.get(status, 0) for status in Status.ORDER}

    @property
    def total(self) -> int:
        return sum(self.counted.values()) if self.counted is not None else len(self.rows)

    def rows_with(self, *statuses) -> list[ComplianceRow]:
        return [row for row in self.rows if row.status in statuses]


def _d(day: date) -> str:
    return day.isoformat()


def estimated_finish(progress: Progress, on: date, offerings_by_slot) -> date:
    """The earliest day the missing slots can be done at one course a term.

    Slots under way finish with their offering. The others take scheduled offerings that
    have not started yet, one a term, and after the last scheduled term one a term of any
    slot, since the programme is given every term at that pace.
    """
    finish = on
    busy_terms = set()
    missing = []
    for sp in progress.slots:
        if sp.is_filled:
            continue
        if sp.current is not None:
            offering = sp.current.offering
            busy_terms.add(offering.term_index)
            finish = max(finish, offering.end_date)
        else:
            missing.append(sp.slot.pk)
    return max(finish, scheduled_finish(missing, busy_terms, on, offerings_by_slot))


def first_free_term(on: date) -> int:
    """The index of the first term whose offerings have not started on the day."""
    term = Term.of(on)
    return term.index if on < term.start else term.index + 1


def scheduled_finish(missing, busy_terms, on: date, offerings_by_slot) -> date:
    """When the `missing` slots (ids in the programme's order) are done at one course a
    term, in terms not `busy` with a course under way: the day itself if none is missing.
    The same for every manager with the same missing slots and busy terms, so the SQL form
    (`enrolment.setbased`) reads it from a table made by this function."""
    missing = list(missing)
    finish = on
    if not missing:
        return finish
    busy_terms = set(busy_terms)
    scheduled = {
        slot_id: {o.term_index: o for o in offerings_by_slot.get(slot_id, ()) if o.start_date > on}
        for slot_id in missing
    }
    last_scheduled = max((t for terms in scheduled.values() for t in terms), default=0)
    index = first_free_term(on)
    for _attempt in range(60):
        if not missing:
            break
        if index not in busy_terms:
            if index <= last_scheduled:
                slot_id = next((s for s in missing if index in scheduled[s]), None)
                end = scheduled[slot_id][index].end_date if slot_id else None
            else:
                slot_id, end = missing[0], Term.from_index(index).end
            if slot_id is not None:
                missing.remove(slot_id)
                busy_terms.add(index)
                finish = max(finish, end)
        index += 1
    return finish


def judge(
    participant: Participant,
    progress: Progress,
    mandate: Mandate,
    on: date,
    offerings_by_slot,
    arrived_on: date | None = None,
    obligation_from: date | None = None,
    decisions=(),
) -> ComplianceRow:
    deadlines = deadlines_for(
        mandate,
        participant,
        arrived_on=arrived_on,
        obligation_from=obligation_from,
        decisions=decisions,
        on=on,
    )
    start_by, complete_by = deadlines.start_by, deadlines.complete_by
    row = ComplianceRow(
        participant=participant,
        progress=progress,
        status=Status.ON_TRACK,
        deadline=complete_by,
        reason="",
        start_by=start_by,
        complete_by=complete_by,
    )
    if progress.exempt_from_programme:
        row.status, row.deadline = Status.EXEMPT, None
        row.reason = _("Exempt from the whole programme by a decision.")
        return row
    if progress.is_complete:
        row.status = Status.COMPLETED
        done = progress.completed_on
        row.reason = (
            _("Completed the programme on %(date)s.") % {"date": _d(done)}
            if done
            else _("Completed the programme.")
        )
        return row
    if deadlines.paused:
        row.status = Status.PAUSED
        row.reason = _("The deadlines are paused by a decision.")
        return row
    if complete_by and on > complete_by:
        row.status = Status.OVERDUE
        row.reason = _("The programme should have been completed by %(date)s.") % {
            "date": _d(complete_by)
        }
        return row
    started = progress.begun
    if not started and start_by and on > start_by:
        row.status, row.deadline = Status.OVERDUE, start_by
        row.reason = _("No course begun by the start deadline %(date)s.") % {"date": _d(start_by)}
        return row
    if complete_by:
        finish = estimated_finish(progress, on, offerings_by_slot)
        if finish > complete_by:
            missing = len(progress.slots) - progress.slots_filled
            row.status = Status.AT_RISK
            row.reason = _(
                "At one course a term the %(count)s missing courses end %(finish)s, "
                "after the deadline %(date)s."
            ) % {"count": missing, "finish": _d(finish), "date": _d(complete_by)}
            return row
    if not started:
        row.status = Status.NOT_STARTED
        row.deadline = start_by or complete_by
        if start_by:
            row.reason = _("Start the programme by %(date)s.") % {"date": _d(start_by)}
        elif complete_by:
            row.reason = _("Not started; complete by %(date)s.") % {"date": _d(complete_by)}
        else:
            row.reason = _("Not started.")
        return row
    row.reason = (
        _("%(filled)s of %(total)s courses done; complete by %(date)s.")
        % {"filled": progress.slots_filled, "total": len(progress.slots), "date": _d(complete_by)}
        if complete_by
        else _("%(filled)s of %(total)s courses done.")
        % {"filled": progress.slots_filled, "total": len(progress.slots)}
    )
    return row


def _placed_on(participants, municipalities, on: date) -> list[tuple[Participant, date | None]]:
    """The managers in post on the day, each as they were placed that day (a manager who
    moved since is shown in their earlier post), with the day they arrived there."""
    participants = [p for p in participants if facts.in_post(p, on=on)]
    moved_since = [
        p.pk for p in participants if p.in_municipality_since and p.in_municipality_since > on
    ]
    earlier = defaultdict(list)
    if moved_since:
        for post in PreviousPost.objects.filter(participant_id__in=moved_since).select_related(
            "administration"
        ):
            earlier[post.participant_id].append(post)
    by_id = {m.pk: m for m in municipalities}
    placed = []
    for participant in participants:
        where = facts.placement(participant, earlier[participant.pk], on=on)
        if where is None or where.municipality_id not in by_id:
            continue
        if where.previous is not None:
            participant.municipality = by_id[where.municipality_id]
            participant.administration = where.previous.administration
            participant.position = where.position
        placed.append((participant, where.arrived_on))
    return placed


def _offerings_by_slot(programme_ids, on: date):
    """The offerings of the programmes still to end on the day, per slot (kept until a
    write: the same for every manager of the programmes)."""
    ids = sorted(set(programme_ids))
    return kept("offerings-by-slot", (",".join(map(str, ids)), on), lambda: _read_by_slot(ids, on))


def _read_by_slot(programme_ids, on: date):
    by_slot = defaultdict(list)
    for offering in CourseOffering.objects.filter(
        course__slot__programme_id__in=programme_ids,
        end_date__gte=on,
        state__in=[
            OfferingState.PLANNED,
            OfferingState.OPEN,
            OfferingState.CLOSED,
            OfferingState.RUNNING,
        ],
    ).select_related("course"):
        by_slot[offering.course.slot_id].append(offering)
    return by_slot


def _decisions_by_participant(participants, on: date):
    by_participant = defaultdict(list)
    for decision in DeadlineDecision.objects.filter(
        facts.decided_q(on=on), participant__in=participants
    ):
        by_participant[decision.participant_id].append(decision)
    return by_participant


def _mandates(municipalities, on: date):
    """The municipalities' mandates in effect by the day, per municipality, and the
    version in force of each (every version kept until a write)."""
    ids = sorted(m.pk for m in municipalities)
    if len(ids) == 1:
        # One municipality's (its compliance page, a head's start page): the same entry
        # as its managers' pages read.
        every = mandates_of(ids[0])
    else:
        every = kept(
            "mandates-in",
            (",".join(map(str, ids)),),
            lambda: list(
                Mandate.objects.filter(municipality_id__in=ids).prefetch_related("administrations")
            ),
        )
    by_municipality = defaultdict(list)
    for mandate in every:
        if mandate.effective_from <= on:
            by_municipality[mandate.municipality_id].append(mandate)
    in_force = {m.pk: mandate_in_force(by_municipality[m.pk], on) for m in municipalities}
    return by_municipality, in_force


def compliance_summary(
    municipalities, on: date, participant_filter: Q | None = None
) -> list[MunicipalityCompliance]:
    """Each municipality's counts per status on the day, counted in the database
    (`enrolment.setbased`, the SQL form of `judge`): the results have counts, no rows.
    For pages and reports that show only the counts, over any number of managers."""
    from . import setbased

    municipalities = list(municipalities)
    if not setbased.is_supported():
        return compute_compliance(municipalities, on, participant_filter)
    _by_municipality, in_force = _mandates(municipalities, on)
    with_mandate = [m.pk for m in municipalities if in_force[m.pk]]
    people = Participant.objects.filter(facts.placed_q(on=on, municipality_ids=with_mandate))
    if participant_filter is not None:
        people = people.filter(participant_filter)
    counted = setbased.standing_counts(
        people, on, group_by="municipality_id", compliance=True, municipality_ids=with_mandate
    )
    return [
        MunicipalityCompliance(
            municipality=m,
            on=on,
            mandate=in_force[m.pk],
            counted={status: counted.get((m.pk, status), (0, 0))[0] for status in Status.ORDER},
        )
        for m in municipalities
    ]


def compute_compliance(
    municipalities, on: date, participant_filter: Q | None = None
) -> list[MunicipalityCompliance]:
    municipalities = list(municipalities)
    by_municipality, in_force = _mandates(municipalities, on)

    with_mandate = [m for m in municipalities if in_force[m.pk]]
    participants = Participant.objects.filter(
        facts.placed_q(on=on, municipality_ids=[m.pk for m in with_mandate])
    ).select_related("municipality", "administration")
    if participant_filter is not None:
        participants = participants.filter(participant_filter)
    admin_ids = {
        mid: {a.pk for a in mandate.administrations.all()}
        for mid, mandate in in_force.items()
        if mandate
    }
    placed = [
        (p, arrived)
        for p, arrived in _placed_on(participants, with_mandate, on)
        if applies_to(in_force[p.municipality_id], p, admin_ids[p.municipality_id])
    ]
    participants = [p for p, _arrived in placed]
    progress = progress_for(participants, on)
    programme_ids = {p.programme.pk for p in progress.values() if p.programme}
    offerings = _offerings_by_slot(programme_ids, on)
    decisions = _decisions_by_participant(participants, on)

    results = {
        m.pk: MunicipalityCompliance(municipality=m, on=on, mandate=in_force[m.pk])
        for m in municipalities
    }
    for participant, arrived in placed:
        results[participant.municipality_id].rows.append(
            judge(
                participant,
                progress[participant.pk],
                in_force[participant.municipality_id],
                on,
                offerings,
                arrived_on=arrived,
                obligation_from=obligation_start(by_municipality[participant.municipality_id]),
                decisions=decisions[participant.pk],
            )
        )
    for result in results.values():
        result.rows.sort(
            key=lambda r: (
                Status.ORDER.index(r.status),
                r.deadline or date.max,
                r.participant.last_name,
            )
        )
    return [results[m.pk] for m in municipalities]


def municipality_compliance(
    *, municipality, on: date, participant_filter: Q | None = None
) -> MunicipalityCompliance:
    """Compliance of one municipality's managers on a day; `participant_filter` narrows
    the managers (e.g. to one administration or the user's reach)."""
    return compute_compliance([municipality], on, participant_filter)[0]


def compliance_listing(
    municipalities, on: date, *, statuses, participant_filter: Q | None = None
) -> list[MunicipalityCompliance]:
    """`compute_compliance` for a page that lists only the managers in `statuses`: the
    counts from the set-based form (`enrolment.setbased`, as `compliance_summary` counts),
    and rows judged in Python for the managers it puts in those statuses, the only ones
    shown."""
    from . import setbased

    municipalities = list(municipalities)
    if not setbased.is_supported() or set(Status.ORDER) <= set(statuses):
        return compute_compliance(municipalities, on, participant_filter)
    narrowed = participant_filter or Q()
    ids = [m.pk for m in municipalities]
    placed = Participant.objects.filter(narrowed, facts.placed_q(on=on, municipality_ids=ids))
    standings = setbased.standing_values(
        placed,
        on,
        ["participant_id", "municipality_id", "compliance_status"],
        compliance=True,
        municipality_ids=ids,
        where="mandated",
    )
    listed = [pk for pk, _municipality, status in standings if status in statuses]
    counted = Counter((municipality, status) for _pk, municipality, status in standings)
    results = compute_compliance(municipalities, on, narrowed & Q(pk__in=listed))
    for result in results:
        result.counted = {
            status: counted.get((result.municipality.pk, status), 0) for status in Status.ORDER
        }
    return results


def municipality_compliance_listing(
    *, municipality, on: date, statuses, participant_filter: Q | None = None
) -> MunicipalityCompliance:
    """`compliance_listing` of one municipality."""
    return compliance_listing(
        [municipality], on, statuses=statuses, participant_filter=participant_filter
    )[0]


def region_compliance(*, region, on: date) -> list[MunicipalityCompliance]:
    return compute_compliance(region.municipalities.order_by("name"), on)


def participant_compliance(
    participant: Participant, *, on: date, progress=None, decisions=None, mandates=None
) -> ComplianceRow | None:
    """One manager's standing against their municipality's mandate on a day; None outside
    any mandate. The row `municipality_compliance` gives the manager, judged from what the
    manager's page has read already: their `progress` as of `on`, their deadline
    `decisions` and the municipality's `mandates` (`mandates_of`); each is read when not
    given."""
    municipality = participant.municipality
    mandates = [
        m
        for m in (mandates if mandates is not None else mandates_of(municipality.pk))
        if m.effective_from <= on
    ]
    mandate = mandate_in_force(mandates, on)
    if mandate is None:
        return None
    # A copy: placing the manager in an earlier post must not change the page's manager.
    placed = _placed_on([copy.copy(participant)], [municipality], on)
    if not placed or not applies_to(mandate, placed[0][0]):
        return None
    person, arrived = placed[0]
    if progress is None:
        progress = progress_for([person], on)[person.pk]
    if decisions is None:
        decisions = DeadlineDecision.objects.filter(participant=participant)
    programme_ids = [progress.programme.pk] if progress.programme else []
    return judge(
        person,
        progress,
        mandate,
        on,
        _offerings_by_slot(programme_ids, on),
        arrived_on=arrived,
        obligation_from=obligation_start(mandates),
        decisions=decisions,
    )


def must_start_by(rows, *, by: date) -> list[ComplianceRow]:
    """The managers who have not begun and whose start deadline falls by the day: what HR
    must plan for, overdue starts included. Done and paused managers are left out; those
    already nominated or waitlisted stay, since a place is not a start."""
    return sorted(
        (
            row
            for row in rows
            if row.start_by is not None
            and row.start_by <= by
            and not row.progress.begun
            and row.status not in (Status.COMPLETED, Status.EXEMPT, Status.PAUSED)
        ),
        key=lambda r: (r.start_by, r.participant.last_name, r.participant.first_name),
    )


def region_compliance_summary(*, region, on: date) -> list[MunicipalityCompliance]:
    """`region_compliance` as counts only, counted in the database."""
    return compliance_summary(region.municipalities.order_by("name"), on)
