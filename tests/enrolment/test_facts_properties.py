"""Property-based tests of `enrolment.facts`: random histories, random days.

Hypothesis generates managers with enrolments in every state (results with corrections
among them), slot and whole-programme credit transfers, moves, leaving dates in the past
and the future, deadline decisions (pauses that may overlap, extensions) and mandate
versions. For random days it shows that the Python form and
the SQL form of every fact and status agree, and that the invariants hold.

Each example writes its rows with bulk_create inside a savepoint that is rolled back,
so 500 examples stay cheap.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, Case, Value, When
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from enrolment import facts
from enrolment.compliance import Status, compute_compliance
from enrolment.models import (
    CreditTransfer,
    DeadlineDecision,
    DeadlineDecisionKind,
    Enrolment,
    EnrolmentState,
    Mandate,
    Participant,
    PreviousPost,
)
from enrolment.progress import (
    DONE_STATUSES,
    ProgrammeStatus,
    programme_status,
    progress_for,
    with_programme_status,
)
from programmes.models import OfferingState
from programmes.terms import term_range
from reporting.builders.regional import _participation, _terms
from reporting.followup.figures import key_figures
from reporting.services.certificates import certificate_issue
from tests import factories as f

S = EnrolmentState
FIRST_DAY, LAST_DAY = date(2022, 6, 1), date(2028, 12, 31)
TERMS = [str(t) for t in term_range("HT2022", "VT2027")]
COURSES = ("new", "collab", "steering", "law", "systems")
ACTIVE = {S.NOMINATED, S.ADMITTED, S.WAITLISTED, S.REGISTERED}
# Without the explain phase, which reruns a failing example hundreds of times.
PHASES = (Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink)
EXAMPLES = settings(
    max_examples=500,
    deadline=None,
    phases=PHASES,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
emails = count()

days = st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)
enrolment_st = st.tuples(
    st.sampled_from(COURSES),
    st.sampled_from(TERMS),
    st.sampled_from(list(S)),
    st.integers(min_value=0, max_value=200),  # result date: days after the course start
    st.sampled_from([None, Decimal("7.5"), Decimal("6.0"), Decimal("9.0")]),  # hp
)
manager_st = st.fixed_dictionaries(
    {
        "appointed": st.one_of(st.none(), days),
        "leaves_after": st.one_of(st.none(), st.integers(min_value=0, max_value=1500)),
        "moved": st.one_of(st.none(), days),
        "enrolments": st.lists(enrolment_st, max_size=6),
        "slot_transfers": st.sets(st.integers(min_value=0, max_value=3), max_size=4),
        "transfer_day": days,
        "whole_programme": st.one_of(st.none(), days),
        # (first day, length in days, decided that many days after the first day)
        "pauses": st.lists(st.tuples(days, st.integers(0, 400), st.integers(-30, 60)), max_size=3),
        # (decided on, new start deadline after it, new completion deadline after it)
        "extension": st.one_of(
            st.none(),
            st.tuples(
                days,
                st.one_of(st.none(), st.integers(1, 400)),
                st.one_of(st.none(), st.integers(1, 1200)),
            ),
        ),
    }
)
mandate_st = st.lists(
    st.tuples(days, st.sampled_from([None, 6, 12]), st.sampled_from([None, 24, 36]), st.booleans()),
    max_size=2,
    unique_by=lambda m: m[0],
)


@dataclass
class Scene:
    world: object
    offerings: dict


@pytest.fixture
def scene(world):
    offerings = {}
    for term in TERMS:
        for key in COURSES:
            offerings[key, term] = f.OfferingFactory(
                course=world.courses[key], term=term, state=OfferingState.FINISHED
            )
    return Scene(world=world, offerings=offerings)


def _enrolments(participant, spec, scene):
    rows, active_slots = [], set()
    for course, term, state, after, credits in spec:
        offering = scene.offerings[course, term]
        slot_id = offering.course.slot_id
        if state in ACTIVE:
            if slot_id in active_slots:
                state = S.WITHDRAWN
            active_slots.add(slot_id)
        result = state in (S.PASSED, S.FAILED)
        rows.append(
            Enrolment(
                participant=participant,
                offering=offering,
                slot_id=slot_id,
                state=state,
                waitlist_position=1 if state == S.WAITLISTED else None,
                grade="G" if state == S.PASSED else ("U" if state == S.FAILED else ""),
                credits=credits if result else None,
                result_date=offering.start_date + timedelta(days=after) if result else None,
            )
        )
    return rows


def _decisions(person, spec) -> list[DeadlineDecision]:
    rows = [
        DeadlineDecision(
            participant=person,
            kind=DeadlineDecisionKind.PAUSE,
            reason="parental_leave",
            paused_from=first,
            paused_to=first + timedelta(days=length),
            decided_on=first + timedelta(days=decided_after),
        )
        for first, length, decided_after in spec["pauses"]
    ]
    if spec["extension"] and (spec["extension"][1] or spec["extension"][2]):
        decided, start, complete = spec["extension"]
        rows.append(
            DeadlineDecision(
                participant=person,
                kind=DeadlineDecisionKind.EXTENSION,
                reason="other",
                new_start_by=decided + timedelta(days=start) if start else None,
                new_complete_by=decided + timedelta(days=complete) if complete else None,
                decided_on=decided,
            )
        )
    return rows


def _write(scene, managers, mandates) -> list[Participant]:
    world = scene.world
    people = []
    for index, spec in enumerate(managers):
        appointed = spec["appointed"]
        left = (
            (appointed or FIRST_DAY) + timedelta(days=spec["leaves_after"])
            if spec["leaves_after"] is not None
            else None
        )
        moved = spec["moved"]
        if moved is not None and appointed is not None and moved <= appointed:
            moved = None
        people.append(
            Participant(
                first_name="Prop",
                last_name=f"Erty{index}",
                email=f"property{next(emails)}@example.se",
                municipality=world.borlange if index % 2 == 0 else world.falun,
                position="unit_manager",
                appointed_on=appointed,
                left_on=left,
                in_municipality_since=moved,
            )
        )
    Participant.objects.bulk_create(people)
    enrolments, transfers, posts, decisions = [], [], [], []
    for person, spec in zip(people, managers, strict=True):
        enrolments += _enrolments(person, spec["enrolments"], scene)
        decisions += _decisions(person, spec)
        transfers += [
            CreditTransfer(
                participant=person,
                programme=world.programme,
                slot=world.slots[i],
                reason="Motsvarande",
                decided_on=spec["transfer_day"],
            )
            for i in sorted(spec["slot_transfers"])
        ]
        if spec["whole_programme"]:
            transfers.append(
                CreditTransfer(
                    participant=person,
                    programme=world.programme,
                    reason="Motsvarande",
                    decided_on=spec["whole_programme"],
                )
            )
        if person.in_municipality_since:
            other = world.falun if person.municipality_id == world.borlange.pk else world.borlange
            posts.append(
                PreviousPost(
                    participant=person,
                    municipality=other,
                    position="unit_manager",
                    valid_to=person.in_municipality_since,
                )
            )
    Enrolment.objects.bulk_create(enrolments)
    CreditTransfer.objects.bulk_create(transfers)
    PreviousPost.objects.bulk_create(posts)
    DeadlineDecision.objects.bulk_create(decisions)
    Mandate.objects.bulk_create(
        Mandate(
            municipality=world.borlange,
            decided_on=effective,
            decision_body="Kommunstyrelsen",
            effective_from=effective,
            start_within_months=start,
            complete_within_months=complete,
            clock_restarts_on_arrival=restarts,
        )
        for effective, start, complete, restarts in mandates
    )
    return list(
        Participant.objects.filter(pk__in=[p.pk for p in people]).select_related("municipality")
    )


class Rollback(Exception):
    pass


def in_savepoint(check):
    try:
        with transaction.atomic():
            check()
            raise Rollback
    except Rollback:
        pass


def _flags(queryset, **conditions) -> dict[int, tuple[bool, ...]]:
    """Each row's value of several conditions, in one query."""
    annotated = queryset.annotate(
        **{
            name: Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())
            for name, q in conditions.items()
        }
    )
    return {row[0]: row[1:] for row in annotated.values_list("pk", *conditions)}


def _check_enrolment_facts(people, on):
    enrolments = Enrolment.objects.filter(participant__in=people).select_related("offering")
    sql = _flags(
        enrolments,
        passed=facts.passed_q(on=on),
        begins=facts.begins_q(on=on),
        under_way=facts.under_way_q(on=on),
        seat=facts.seat_q(),
        took_part=facts.took_part_q(on=on),
    )
    for e in enrolments:
        python = (
            facts.is_passed(e, on=on),
            facts.begins(e, on=on),
            facts.is_under_way(e, on=on),
            facts.holds_seat(e),
            facts.took_part(e, on=on),
        )
        assert python == sql[e.pk], (e.state, e.result_date, e.offering.start_date, on)


def _check_manager_facts(world, people, on):
    managers = Participant.objects.filter(pk__in=[p.pk for p in people])
    sql = _flags(
        managers,
        in_post=facts.in_post_q(on=on),
        left=facts.left_q(on=on),
        in_borlange=facts.placed_q(on=on, municipality_ids=[world.borlange.pk]),
        in_falun=facts.placed_q(on=on, municipality_ids=[world.falun.pk]),
        paused=facts.paused_exists(on=on),
        begun=facts.begun_exists(on=on),
    )
    posts = {p.pk: [] for p in people}
    for post in PreviousPost.objects.filter(participant__in=people):
        posts[post.participant_id].append(post)
    decisions = _decisions_of(people)
    for p in people:
        where = facts.placement(p, posts[p.pk], on=on)
        python = (
            facts.in_post(p, on=on),
            facts.has_left(p, on=on),
            where is not None and where.municipality_id == world.borlange.pk,
            where is not None and where.municipality_id == world.falun.pk,
            facts.is_paused(decisions[p.pk], on=on),
        )
        assert python == sql[p.pk][:5], p
        _check_paused_days(decisions[p.pk], on)
    return {pk: flags[5] for pk, flags in sql.items()}


def _decisions_of(people) -> dict[int, list[DeadlineDecision]]:
    by_person = {p.pk: [] for p in people}
    for decision in DeadlineDecision.objects.filter(participant__in=people):
        by_person[decision.participant_id].append(decision)
    return by_person


def _check_paused_days(decisions, on):
    """Each paused day is counted once, only when the pause is known, and never past the
    day asked: the count is the number of distinct days, day by day."""
    after = FIRST_DAY
    days = {
        d.paused_from + timedelta(days=i)
        for d in decisions
        if d.is_pause and d.decided_on <= on
        for i in range((d.paused_to - d.paused_from).days + 1)
    }
    expected = sum(1 for day in days if after < day <= on)
    assert facts.paused_days(decisions, after=after, on=on) == expected


def _check_progress(world, people, on, begun):
    progress = progress_for(people, on)
    managers = Participant.objects.filter(pk__in=progress)
    listed = {p.pk: p for p in with_programme_status(managers, on)}
    for person in people:
        mine, row = progress[person.pk], listed[person.pk]
        assert programme_status(person, mine, on=on) == row.programme_status
        assert (mine.slots_filled, mine.credits, mine.exempt_from_programme) == (
            row.slots_filled,
            row.hp,
            row.programme_exempt,
        )
        assert mine.begun == begun[person.pk]
        # hp ≤ 30, a slot filled once and never beyond its hp, complete ⇔ every slot filled.
        assert Decimal(0) <= mine.credits <= world.programme.credits
        assert all(s.credits <= s.slot.credits for s in mine.slots)
        assert mine.slots_filled <= len(mine.slots) == 4
        assert mine.is_complete == all(s.is_filled for s in mine.slots)
        assert (row.programme_status in DONE_STATUSES) == (row.slots_filled == 4)
        assert (row.programme_status == ProgrammeStatus.EXEMPT) == row.programme_exempt
        if mine.is_complete:
            assert mine.completed_on is None or all(
                s.completed_on is None or s.completed_on <= mine.completed_on for s in mine.slots
            )
    return progress


def _check_compliance(people, progress, world, on):
    (result,) = compute_compliance([world.borlange], on)
    judged = [row.participant.pk for row in result.rows]
    assert len(judged) == len(set(judged))
    decisions = _decisions_of(people)
    for row in result.rows:
        mine = progress[row.participant.pk]
        # An active pause shows as such, never overdue, unless the manager is done.
        done = mine.is_complete or mine.exempt_from_programme
        paused = facts.is_paused(decisions[row.participant.pk], on=on)
        assert (row.status == Status.PAUSED) == (paused and not done)
        assert facts.in_post(row.participant, on=on)
        assert (row.status == Status.EXEMPT) == mine.exempt_from_programme
        assert (row.status == Status.COMPLETED) == (
            mine.is_complete and not mine.exempt_from_programme
        )
        if row.status in (Status.ON_TRACK,):
            assert mine.begun
        assert row.status in Status.ORDER


def _check_certificates(people):
    """A certificate only for a complete manager with a course passed: tried for everyone
    whose slots are all filled today, where the one rule decides."""
    today = progress_for(people)
    for person in people:
        mine = today[person.pk]
        if not mine.is_complete:
            assert not mine.earns_certificate
            continue
        try:
            certificate_issue(participant=person, on=date(2026, 11, 1))
            issued = True
        except ValidationError:
            issued = False
        assert issued == mine.earns_certificate == any(s.status == "passed" for s in mine.slots)


@EXAMPLES
@given(managers=st.lists(manager_st, min_size=1, max_size=3), mandates=mandate_st, on=days)
def test_python_and_sql_forms_agree_and_the_invariants_hold(scene, managers, mandates, on):
    def check():
        people = _write(scene, managers, mandates)
        _check_enrolment_facts(people, on)
        begun = _check_manager_facts(scene.world, people, on)
        progress = _check_progress(scene.world, people, on, begun)
        _check_compliance(people, progress, scene.world, on)
        _check_certificates(people)

    in_savepoint(check)


@settings(
    max_examples=100,
    deadline=None,
    phases=PHASES,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(managers=st.lists(manager_st, min_size=1, max_size=4), on=days)
def test_regional_figures_are_the_sum_of_the_municipalities(scene, managers, on):
    world = scene.world

    def check():
        _write(scene, managers, [])
        terms = _terms(world.programme, max(on, date(2022, 8, 1)))
        taking_part = _participation(world.region, world.programme, terms, on)
        groups, total = taking_part["groups"], taking_part["total"]
        assert total.participants == sum(g.participants for g in groups)
        assert total.completed == sum(g.completed for g in groups)
        assert total.credits == sum((g.credits for g in groups), Decimal(0))
        figures = key_figures(region=world.region, on=on)
        assert figures.trained_total.total.value == sum(r.total.value for r in figures.trained)
        assert total.participants == figures.trained_total.total.value
        assert total.credits == (figures.credits_total.total.value or 0)

    in_savepoint(check)
