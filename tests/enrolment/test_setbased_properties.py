"""Property-based tests of `enrolment.setbased`, the set-based form of progress and
compliance: for random histories (the generators of `test_facts_properties`) and random
days, every manager's programme status, slots, hp, completion, compliance status and
deadline read from the one query equal what `progress_for`, `programme_status` and
`compute_compliance` say in Python, and the counts of `compliance_summary` equal the
counts of the rows.

Planned offerings after the histories' terms give the at-risk estimate scheduled terms
to use, as well as the terms after them.
"""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db.models import Q
from hypothesis import given, settings
from hypothesis import strategies as st

from enrolment import facts
from enrolment.compliance import compliance_summary, compute_compliance
from enrolment.facts import TOOK_COURSE_STATES
from enrolment.models import EnrolmentState, Participant
from enrolment.progress import programme_status, progress_for, with_programme_status
from enrolment.setbased import standing_rows, with_standing
from programmes.models import OfferingState
from reporting.followup.planning import needs_computed, needs_counted
from tests import factories as f

from .test_facts_properties import (
    EXAMPLES,
    Scene,
    _write,
    days,
    in_savepoint,
    manager_st,
    mandate_st,
)
from .test_facts_properties import scene as facts_scene  # noqa: F401

PLANNED = {("law", "HT2027"), ("systems", "HT2027"), ("new", "VT2028"), ("steering", "VT2028")}


@dataclass
class Planned:
    scene: Scene


@pytest.fixture
def planned(scene):
    for course, term in PLANNED:
        f.OfferingFactory(
            course=scene.world.courses[course], term=term, state=OfferingState.PLANNED
        )
    return Planned(scene=scene)


@pytest.fixture
def scene(facts_scene):  # noqa: F811
    return facts_scene


def _progress_of(person, mine, on):
    return (
        programme_status(person, mine, on=on),
        len(mine.slots),
        mine.slots_filled,
        mine.credits,
        mine.exempt_from_programme,
        mine.is_complete,
        mine.begun,
        mine.holds_seat,
        mine.completed_on,
    )


def _standing_of(row):
    return (
        row.programme_status,
        row.slot_count,
        row.slots_filled,
        row.hp,
        row.programme_exempt,
        row.programme_complete,
        row.begun,
        row.holds_seat,
        row.completed_on,
    )


# 300 histories: about half a second each, the suite's longest test.
@settings(EXAMPLES, max_examples=300)
@given(managers=st.lists(manager_st, min_size=1, max_size=3), mandates=mandate_st, on=days)
def test_the_set_based_standing_agrees_with_progress_and_compliance(
    planned, managers, mandates, on
):
    world = planned.scene.world
    municipalities = [world.borlange, world.falun]

    def check():
        people = _write(planned.scene, managers, mandates)
        ids = [p.pk for p in people]
        mine = Q(pk__in=ids)
        progress = progress_for(people, on)
        rows = {
            row.participant_id: row
            for row in standing_rows(Participant.objects.filter(mine), on, compliance=True)
        }
        assert set(rows) == set(ids)
        for person in people:
            assert _progress_of(person, progress[person.pk], on) == _standing_of(rows[person.pk])

        results = compute_compliance(municipalities, on, mine)
        judged = {
            row.participant.pk: (result.municipality.pk, row.status, row.deadline)
            for result in results
            for row in result.rows
        }
        for person in people:
            row = rows[person.pk]
            expected = judged.get(person.pk)
            got = (
                (row.municipality_id, row.compliance_status, row.compliance_deadline)
                if row.compliance_status
                else None
            )
            assert got == expected, (person.pk, on)
            if expected:
                python = next(
                    r for res in results for r in res.rows if r.participant.pk == person.pk
                )
                assert (row.start_by, row.complete_by) == (python.start_by, python.complete_by)

        summary = compliance_summary(municipalities, on, mine)
        assert [s.counts for s in summary] == [r.counts for r in results]
        assert [s.total for s in summary] == [r.total for r in results]

        # The annotations the list filters and sorts by are the same rows.
        annotated = with_standing(Participant.objects.filter(mine), on, compliance=True)
        for p in annotated:
            row = rows[p.pk]
            assert (p.hp, p.programme_status, p.compliance_status, p.compliance_deadline) == (
                row.hp,
                row.programme_status,
                row.compliance_status,
                row.compliance_deadline,
            )
        assert {
            p.pk: p.hp for p in with_programme_status(Participant.objects.filter(mine), on)
        } == {pk: row.hp for pk, row in rows.items()}

    in_savepoint(check)


@settings(EXAMPLES, max_examples=150)
@given(managers=st.lists(manager_st, min_size=1, max_size=3), mandates=mandate_st, on=days)
def test_the_intake_plan_reads_the_same_needs_from_sql_as_from_python(
    planned, managers, mandates, on
):
    world = planned.scene.world
    municipalities = [world.borlange, world.falun]

    def check():
        people = _write(planned.scene, managers, mandates)
        mine = Q(pk__in=[p.pk for p in people])
        computed, computed_needs = needs_computed(municipalities, on, mine)
        counted, counted_needs = needs_counted(municipalities, on, mine)
        assert [r.total for r in counted] == [r.total for r in computed]
        for municipality in municipalities:
            assert counted_needs.get(municipality.pk, {}) == computed_needs.get(municipality.pk, {})

    in_savepoint(check)


# --- What the council's figures count of each manager's courses --------------------------


def _taking_part_of(person, on):
    """`TAKING_PART_FIELDS` in Python, from the definitions of `reporting.followup.figures`:
    the post held on the day (`facts.placement`), and of the enrolments in which the
    manager took a course by the day (registered, passed or failed on an offering that
    has started), the first start and per course taken in a term the passes
    (`facts.is_passed`), the fails with a known result (`facts.result_known`) and the hp
    of the passes."""
    placed = facts.placement(person, person.previous_posts.order_by("valid_to", "pk"), on=on)
    taken = {}
    starts = []
    for e in person.enrolments.select_related("offering__course"):
        if e.state not in TOOK_COURSE_STATES or e.offering.start_date > on:
            continue
        starts.append(e.offering.start_date)
        key = (e.offering.term_index, e.offering.course_id)
        passes, fails, hp = taken.get(key, (0, 0, Decimal(0)))
        if facts.is_passed(e, on=on):
            passes += 1
            hp += e.credits if e.credits is not None else e.offering.course.credits
        elif e.state == EnrolmentState.FAILED and facts.result_known(e, on=on):
            fails += 1
        taken[key] = (passes, fails, hp)
    order = sorted(taken)
    return (
        placed.municipality_id if placed else None,
        min(starts, default=None),
        [term for term, _course in order] or None,
        [course for _term, course in order] or None,
        [taken[k][0] for k in order] or None,
        [taken[k][1] for k in order] or None,
        [taken[k][2] for k in order] or None,
    )


# The stored-equals-recomputed test covers these columns too (tests/enrolment/test_projection.py).
@settings(EXAMPLES, max_examples=200)
@given(managers=st.lists(manager_st, min_size=1, max_size=3), on=days)
def test_what_the_council_counts_of_each_manager_agrees_with_the_facts(scene, managers, on):
    def check():
        people = _write(scene, managers, [])
        rows = {
            row.participant_id: row
            for row in standing_rows(
                Participant.objects.filter(pk__in=[p.pk for p in people]), on, taking_part=True
            )
        }
        for person in people:
            row = rows[person.pk]
            stored = (
                row.placed_municipality_id,
                row.first_course_start,
                row.course_terms,
                row.term_courses,
                row.term_passes,
                row.term_fails,
                row.term_hp,
            )
            expected = _taking_part_of(person, on)
            assert stored == expected, (person.pk, on)
            # The kind of manager is the five arrays written as PostgreSQL writes them.
            arrays = ["{" + ",".join(map(str, a or [])) + "}" for a in expected[2:]]
            assert row.taking_part_key == ("|".join(arrays) if expected[2] else None)

    in_savepoint(check)
