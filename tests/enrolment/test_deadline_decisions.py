"""Deadline decisions: extensions and pauses move the one deadline, day by day.

Borlänge's mandate here: in force from 2025-07-01, start within 12 months and complete
within 36 months. A manager appointed 2025-09-15 must start by 2026-09-15 and complete
by 2028-09-15.
"""

from datetime import date, timedelta

import pytest

from enrolment.compliance import Status, municipality_compliance
from enrolment.mandates import deadlines_of
from tests import factories as f

APPOINTED = date(2025, 9, 15)
START_BY, COMPLETE_BY = date(2026, 9, 15), date(2028, 9, 15)


@pytest.fixture
def manager(world):
    f.MandateFactory(municipality=world.borlange)
    return f.ParticipantFactory(municipality=world.borlange, appointed_on=APPOINTED)


def judged(world, manager, on):
    (row,) = municipality_compliance(municipality=world.borlange, on=on).rows
    assert row.participant.pk == manager.pk
    return row


def test_without_a_decision_the_deadlines_are_the_mandates(manager):
    deadlines = deadlines_of(manager, date(2026, 11, 29))
    assert (deadlines.start_by, deadlines.complete_by) == (START_BY, COMPLETE_BY)


def test_a_manager_overdue_without_a_decision_is_on_track_with_an_extension(world, manager):
    f.pass_course(manager, world.courses["new"], term="VT2026")
    on = date(2028, 10, 1)
    assert judged(world, manager, on).status == Status.OVERDUE
    f.ExtensionFactory(
        participant=manager, decided_on=date(2028, 9, 20), new_complete_by=date(2030, 12, 31)
    )
    row = judged(world, manager, on)
    assert (row.status, row.complete_by, row.deadline) == (
        Status.ON_TRACK,
        date(2030, 12, 31),
        date(2030, 12, 31),
    )
    # Asked for a day before the decision, the manager was overdue.
    assert judged(world, manager, date(2028, 9, 19)).status == Status.OVERDUE


def test_an_extension_of_the_start_deadline_makes_a_late_starter_not_started(world, manager):
    on = date(2026, 11, 29)
    assert judged(world, manager, on).status == Status.OVERDUE
    f.ExtensionFactory(participant=manager, new_start_by=date(2027, 3, 31))
    row = judged(world, manager, on)
    # No longer overdue; four courses from VT2027 end after the unchanged completion date.
    assert (row.status, row.start_by, row.complete_by) == (
        Status.AT_RISK,
        date(2027, 3, 31),
        COMPLETE_BY,
    )
    f.ExtensionFactory(
        participant=manager, decided_on=date(2026, 11, 2), new_complete_by=date(2029, 6, 30)
    )
    row = judged(world, manager, on)
    assert (row.status, row.start_by, row.complete_by) == (
        Status.NOT_STARTED,
        date(2027, 3, 31),
        date(2029, 6, 30),
    )


@pytest.mark.parametrize(
    ("paused_from", "paused_to", "days"),
    [
        # Ten months over a leap day: 2028-02-29 is counted.
        (date(2027, 11, 1), date(2028, 8, 31), 305),
        # Ten months from a month's last day, no leap day.
        (date(2026, 1, 31), date(2026, 11, 30), 304),
        # A single day.
        (date(2026, 2, 28), date(2026, 2, 28), 1),
    ],
)
def test_a_pause_moves_both_deadlines_by_exactly_its_days(manager, paused_from, paused_to, days):
    f.PauseFactory(participant=manager, paused_from=paused_from, paused_to=paused_to)
    assert (paused_to - paused_from).days + 1 == days
    deadlines = deadlines_of(manager, date(2029, 1, 1))
    assert deadlines.start_by == START_BY + timedelta(days=days)
    assert deadlines.complete_by == COMPLETE_BY + timedelta(days=days)
    assert not deadlines.paused


def test_a_ten_month_pause_over_a_leap_year_lands_on_the_exact_day(manager):
    f.PauseFactory(participant=manager, paused_from=date(2027, 11, 1), paused_to=date(2028, 8, 31))
    # 2028-09-15 + 305 days: 2029-07-17.
    assert deadlines_of(manager, date(2029, 1, 1)).complete_by == date(2029, 7, 17)


def test_a_running_pause_counts_only_the_days_up_to_the_day_asked(world, manager):
    f.PauseFactory(participant=manager, paused_from=date(2026, 8, 1), paused_to=date(2027, 5, 31))
    on = date(2026, 8, 31)  # 31 days paused so far
    deadlines = deadlines_of(manager, on)
    assert deadlines.paused
    assert deadlines.start_by == START_BY + timedelta(days=31)
    assert deadlines.complete_by == COMPLETE_BY + timedelta(days=31)
    row = judged(world, manager, date(2026, 11, 29))
    assert (row.status, row.start_by) == (Status.PAUSED, START_BY + timedelta(days=121))


def test_a_pause_ending_in_the_past_counts_only_its_days(manager):
    f.PauseFactory(participant=manager, paused_from=date(2026, 3, 1), paused_to=date(2026, 3, 31))
    for on in (date(2026, 4, 1), date(2026, 11, 29), date(2028, 1, 1)):
        assert deadlines_of(manager, on).complete_by == COMPLETE_BY + timedelta(days=31)


def test_a_pause_ahead_counts_nothing_yet(manager):
    f.PauseFactory(
        participant=manager,
        paused_from=date(2027, 1, 1),
        paused_to=date(2027, 6, 30),
        decided_on=date(2026, 11, 1),
    )
    deadlines = deadlines_of(manager, date(2026, 11, 29))
    assert (deadlines.complete_by, deadlines.paused) == (COMPLETE_BY, False)


def test_two_overlapping_pauses_count_their_days_once(manager):
    f.PauseFactory(participant=manager, paused_from=date(2026, 1, 1), paused_to=date(2026, 1, 31))
    f.PauseFactory(participant=manager, paused_from=date(2026, 1, 20), paused_to=date(2026, 2, 10))
    f.PauseFactory(participant=manager, paused_from=date(2026, 1, 5), paused_to=date(2026, 1, 6))
    # 1 January to 10 February: 41 days, however many pauses cover them.
    assert deadlines_of(manager, date(2026, 11, 29)).complete_by == COMPLETE_BY + timedelta(days=41)


def test_a_pause_after_an_extension_moves_the_extended_deadline(manager):
    f.PauseFactory(participant=manager, paused_from=date(2026, 1, 1), paused_to=date(2026, 1, 10))
    f.ExtensionFactory(
        participant=manager, decided_on=date(2026, 2, 1), new_complete_by=date(2029, 6, 30)
    )
    f.PauseFactory(participant=manager, paused_from=date(2026, 3, 1), paused_to=date(2026, 3, 5))
    deadlines = deadlines_of(manager, date(2026, 11, 29))
    # The extension set the date anew; only the pause after it moves it.
    assert deadlines.complete_by == date(2029, 7, 5)
    # The start deadline was not extended: both pauses move it.
    assert deadlines.start_by == START_BY + timedelta(days=15)


def test_a_manager_under_a_pause_is_paused_not_overdue(world, manager):
    assert judged(world, manager, date(2026, 11, 29)).status == Status.OVERDUE
    f.PauseFactory(
        participant=manager,
        paused_from=date(2026, 11, 1),
        paused_to=date(2027, 8, 31),
        decided_on=date(2026, 11, 2),
    )
    assert judged(world, manager, date(2026, 11, 29)).status == Status.PAUSED
    # After the pause the clock runs again, 304 days later.
    row = judged(world, manager, date(2027, 9, 1))
    assert row.start_by == START_BY + timedelta(days=304)
    assert row.status == Status.OVERDUE


def test_a_completed_manager_stays_completed_during_a_pause(world, manager):
    for key, term in (("new", "VT2026"), ("steering", "VT2026"), ("law", "HT2026")):
        f.pass_course(manager, world.courses[key], term=term)
    f.pass_course(manager, world.courses["systems"], term="HT2026")
    f.PauseFactory(participant=manager, paused_from=date(2027, 1, 1), paused_to=date(2027, 6, 30))
    assert judged(world, manager, date(2027, 3, 1)).status == Status.COMPLETED
