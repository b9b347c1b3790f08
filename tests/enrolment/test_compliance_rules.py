"""The compliance rules, case by case.

Borlänge's mandate in these cases: in force from 2025-07-01, start within 12 months and
complete within 36 months of the later of appointment and that date; managers already in
post complete by 2028-06-30. Offerings are scheduled up to VT2027 (HT2026 running,
VT2027 open), as in the demo.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pytest

from enrolment.compliance import Status, municipality_compliance, participant_compliance
from enrolment.mandates import mandates_of
from enrolment.models import CreditTransferKind, EnrolmentState, Participant, Position
from enrolment.progress import progress_of
from programmes.models import OfferingState
from programmes.terms import Term, term_range
from tests import factories as f

TODAY = date(2026, 11, 22)
S = EnrolmentState


@dataclass
class Case:
    name: str
    expected: str | None  # None: the manager is out of the mandate's scope
    deadline: date | None = None
    on: date = TODAY
    appointed: date = date(2025, 9, 15)
    history: list = field(default_factory=list)  # (course, term, state, result_date)
    slot_transfers: list = field(default_factory=list)  # slot positions
    whole_programme: str | None = None  # credit transfer kind for the whole programme
    participant: dict = field(default_factory=dict)
    mandate: dict = field(default_factory=dict)
    new_version: dict | None = None
    moved_on: date | None = None  # from Falun to Borlänge
    pauses: list = field(default_factory=list)  # (first day, last day)


ALL_PASSED = [
    ("new", "HT2022", S.PASSED, date(2023, 1, 10)),
    ("steering", "VT2023", S.PASSED, date(2023, 6, 5)),
    ("law", "HT2023", S.PASSED, date(2024, 1, 12)),
    ("systems", "VT2024", S.PASSED, date(2024, 6, 3)),
]

CASES = [
    Case(
        "four passes complete",
        Status.COMPLETED,
        date(2028, 6, 30),
        appointed=date(2022, 5, 1),
        history=ALL_PASSED,
    ),
    Case(
        "both slot-1 alternatives count once",
        Status.ON_TRACK,
        date(2028, 6, 30),
        appointed=date(2022, 5, 1),
        history=[
            ALL_PASSED[0],
            ("collab", "HT2023", S.PASSED, date(2024, 1, 12)),
            ALL_PASSED[1],
            ("law", "HT2026", S.REGISTERED, None),
        ],
    ),
    Case(
        "three passes and a credit-transferred slot complete",
        Status.COMPLETED,
        date(2028, 6, 30),
        appointed=date(2022, 5, 1),
        history=ALL_PASSED[:2] + ALL_PASSED[3:],
        slot_transfers=[3],
    ),
    Case(
        "credit transfer for the whole programme is exempt",
        Status.EXEMPT,
        None,
        whole_programme=CreditTransferKind.CREDIT_TRANSFER,
    ),
    Case(
        "an approved exemption is exempt",
        Status.EXEMPT,
        None,
        whole_programme=CreditTransferKind.EXEMPTION,
    ),
    Case(
        "appointed after the mandate, inside the start window",
        Status.NOT_STARTED,
        date(2027, 6, 1),
        appointed=date(2026, 6, 1),
    ),
    Case(
        "start deadline passed without a course",
        Status.OVERDUE,
        date(2026, 8, 1),
        appointed=date(2025, 8, 1),
    ),
    Case(
        "on the start deadline day itself",
        Status.NOT_STARTED,
        date(2026, 8, 1),
        appointed=date(2025, 8, 1),
        on=date(2026, 8, 1),
    ),
    Case(
        "the day after the start deadline",
        Status.OVERDUE,
        date(2026, 8, 1),
        appointed=date(2025, 8, 1),
        on=date(2026, 8, 2),
    ),
    Case(
        "in post before the mandate and not started: start window ran from it",
        Status.OVERDUE,
        date(2026, 7, 1),
        appointed=date(2021, 3, 1),
    ),
    Case(
        "in post before the mandate, started, fixed date reachable",
        Status.ON_TRACK,
        date(2028, 6, 30),
        appointed=date(2021, 3, 1),
        history=[("new", "HT2026", S.REGISTERED, None)],
    ),
    Case(
        "in post, one course done, fixed date still reachable",
        Status.ON_TRACK,
        date(2028, 6, 30),
        appointed=date(2021, 3, 1),
        history=[("new", "HT2025", S.PASSED, date(2026, 1, 12))],
    ),
    Case(
        "in post, one course done, too late for the fixed date",
        Status.AT_RISK,
        date(2028, 6, 30),
        appointed=date(2021, 3, 1),
        on=date(2027, 3, 1),
        history=[("new", "HT2025", S.PASSED, date(2026, 1, 12))],
    ),
    Case(
        "on the completion deadline day itself, a course missing",
        Status.AT_RISK,
        date(2028, 9, 15),
        on=date(2028, 9, 15),
        history=ALL_PASSED[:3],
    ),
    Case(
        "the day after the completion deadline",
        Status.OVERDUE,
        date(2028, 9, 15),
        on=date(2028, 9, 16),
        history=ALL_PASSED[:3],
    ),
    Case(
        "started but past the completion deadline",
        Status.OVERDUE,
        date(2028, 8, 1),
        appointed=date(2025, 8, 1),
        on=date(2028, 9, 1),
        history=ALL_PASSED[:2],
    ),
    Case(
        "appointed on a leap day: start deadline is 28 February",
        Status.AT_RISK,
        date(2031, 2, 28),
        appointed=date(2028, 2, 29),
        on=date(2029, 2, 28),
    ),
    Case(
        "appointed on a leap day, the day after the start deadline",
        Status.OVERDUE,
        date(2029, 2, 28),
        appointed=date(2028, 2, 29),
        on=date(2029, 3, 1),
    ),
    Case(
        "a manager who left before the day is out of scope",
        None,
        participant={"left_on": date(2026, 10, 1)},
    ),
    Case(
        "a manager who leaves after the day is still judged",
        Status.OVERDUE,
        date(2026, 9, 15),
        participant={"left_on": date(2026, 12, 31)},
    ),
    Case(
        "moved here after the mandate, clock restarts on arrival: judged from the move",
        Status.NOT_STARTED,
        date(2027, 9, 1),
        appointed=date(2020, 1, 1),
        moved_on=date(2026, 9, 1),
        mandate={"clock_restarts_on_arrival": True},
    ),
    Case(
        "moved here after the mandate: keeps the clock of the appointment",
        Status.OVERDUE,
        date(2026, 7, 1),
        appointed=date(2020, 1, 1),
        moved_on=date(2026, 9, 1),
    ),
    Case(
        "moved here later than the day: out of scope",
        None,
        appointed=date(2020, 1, 1),
        moved_on=date(2027, 1, 1),
    ),
    Case(
        "a credit-transferred slot counts towards completion",
        Status.ON_TRACK,
        date(2028, 9, 15),
        history=ALL_PASSED[:2] + [("systems", "HT2026", S.REGISTERED, None)],
        slot_transfers=[3],
    ),
    Case(
        "registered on the first course: on track",
        Status.ON_TRACK,
        date(2029, 1, 15),
        appointed=date(2026, 1, 15),
        history=[("new", "HT2026", S.REGISTERED, None)],
    ),
    Case(
        "a pass dated after the day does not count yet",
        Status.ON_TRACK,
        date(2028, 9, 15),
        history=ALL_PASSED[:3] + [("systems", "HT2026", S.PASSED, date(2027, 1, 18))],
    ),
    Case(
        "nominated to a later offering is not a start",
        Status.OVERDUE,
        date(2026, 8, 1),
        appointed=date(2025, 8, 1),
        history=[("new", "VT2027", S.NOMINATED, None)],
    ),
    Case(
        "a failed course is not a start",
        Status.OVERDUE,
        date(2026, 8, 1),
        appointed=date(2025, 8, 1),
        history=[("new", "HT2025", S.FAILED, date(2026, 1, 12))],
    ),
    Case(
        "a withdrawn course is not a start",
        Status.OVERDUE,
        date(2026, 8, 1),
        appointed=date(2025, 8, 1),
        history=[("new", "HT2025", S.WITHDRAWN, None)],
    ),
    Case(
        "a position outside the mandate is out of scope",
        None,
        participant={"position": Position.OTHER},
        mandate={"positions": [Position.UNIT_MANAGER, Position.DEPUTY_UNIT_MANAGER]},
    ),
    Case(
        "a changed mandate: the old version still applies before the new one",
        Status.NOT_STARTED,
        date(2027, 3, 1),
        appointed=date(2026, 3, 1),
        on=date(2026, 11, 22),
        new_version={"effective_from": date(2027, 1, 1), "start_within_months": 6},
    ),
    Case(
        "a changed mandate: the new version applies from its date",
        Status.OVERDUE,
        date(2026, 9, 1),
        appointed=date(2026, 3, 1),
        on=date(2027, 1, 2),
        new_version={"effective_from": date(2027, 1, 1), "start_within_months": 6},
    ),
    Case(
        "overdue to start, but under a pause: paused",
        Status.PAUSED,
        date(2028, 8, 1) + timedelta(days=53),  # 1 October to 22 November paused
        appointed=date(2025, 8, 1),
        pauses=[(date(2026, 10, 1), date(2027, 3, 31))],
    ),
    Case(
        "a pause that ended moves the start deadline by its days",
        Status.OVERDUE,
        date(2026, 8, 1) + timedelta(days=31),
        appointed=date(2025, 8, 1),
        pauses=[(date(2026, 3, 1), date(2026, 3, 31))],
    ),
    Case(
        "no mandate in force yet on the day", None, on=date(2025, 6, 30), appointed=date(2024, 1, 1)
    ),
]


@pytest.fixture
def schedule(world):
    """Offerings of every course from HT2022 to VT2027, in the states of 2026-11-22."""
    offerings = {}
    for term in term_range("HT2022", "VT2027"):
        state = (
            OfferingState.FINISHED
            if term < Term.parse("HT2026")
            else OfferingState.RUNNING
            if term == Term.parse("HT2026")
            else OfferingState.OPEN
        )
        for key, course in world.courses.items():
            offerings[key, str(term)] = f.OfferingFactory(
                course=course, term=str(term), state=state
            )
    return offerings


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_compliance_rule(world, schedule, case):
    mandate_fields = {
        "fixed_completion_date": date(2028, 6, 30),
        "positions": [],
        **case.mandate,
    }
    f.MandateFactory(municipality=world.borlange, **mandate_fields)
    if case.new_version:
        f.MandateFactory(
            municipality=world.borlange,
            **{**mandate_fields, "fixed_completion_date": None, **case.new_version},
        )
    participant = f.ParticipantFactory(
        municipality=world.borlange,
        appointed_on=case.appointed,
        position=case.participant.get("position", Position.UNIT_MANAGER),
        **{k: v for k, v in case.participant.items() if k != "position"},
    )
    if case.moved_on:
        f.PreviousPostFactory(
            participant=participant, municipality=world.falun, valid_to=case.moved_on
        )
        participant.in_municipality_since = case.moved_on
        participant.save()
    for key, term, state, result_date in case.history:
        passed = state == S.PASSED
        f.EnrolmentFactory(
            participant=participant,
            offering=schedule[key, term],
            state=state,
            grade="G" if passed else ("U" if state == S.FAILED else ""),
            credits=Decimal("7.5") if passed else None,
            result_date=result_date,
        )
    for first, last in case.pauses:
        f.PauseFactory(participant=participant, paused_from=first, paused_to=last)
    for position in case.slot_transfers:
        f.CreditTransferFactory(participant=participant, slot=world.slots[position - 1])
    if case.whole_programme:
        f.CreditTransferFactory(
            participant=participant,
            programme=world.programme,
            slot=None,
            kind=case.whole_programme,
        )

    result = municipality_compliance(municipality=world.borlange, on=case.on)

    rows = [r for r in result.rows if r.participant == participant]
    alone = _on_the_managers_page(participant, case.on)
    if case.expected is None:
        assert rows == []
        assert alone == [None, None]
        return
    (row,) = rows
    assert (row.status, row.deadline) == (case.expected, case.deadline), row.reason
    assert row.reason
    assert alone == [_shown(row)] * 2


def _shown(row):
    return (row.status, row.deadline, row.reason, row.start_by, row.complete_by)


def _on_the_managers_page(participant, on):
    """The manager's compliance as their page shows it: judged alone, reading its own
    rows, and from the progress, decisions and mandates the page has read already."""
    manager = Participant.objects.select_related("municipality").get(pk=participant.pk)
    enrolments = list(manager.enrolments.select_related("offering__course"))
    given = participant_compliance(
        manager,
        on=on,
        progress=progress_of(manager, on, enrolments=enrolments),
        decisions=list(manager.deadline_decisions.all()),
        mandates=mandates_of(manager.municipality_id),
    )
    alone = participant_compliance(manager, on=on)
    return [_shown(row) if row else None for row in (alone, given)]


def test_there_are_at_least_25_cases():
    assert len(CASES) >= 25
    assert {c.expected for c in CASES} >= set(Status.ORDER)
