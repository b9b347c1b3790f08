"""Credit between programmes, property-based: managers with courses under two programmes
(one who moved from Dalarna to Gävleborg), a random equivalence table, random days.

Progress in Python (`progress_for`, through `facts.counting_slot`) and in SQL
(`with_programme_status`: `enrolment.setbased`, which reads the same table) agree on every
slot filled, the hp and the status; the invariants hold (hp
never above the programme's, a slot filled once, complete when every slot is filled).
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from enrolment.models import CreditTransfer, Enrolment, EnrolmentState, Participant
from enrolment.progress import programme_status, progress_for, with_programme_status
from programmes.models import CourseEquivalence, OfferingState
from tests import factories as f

S = EnrolmentState
TERMS = ("HT2023", "VT2024", "HT2024", "VT2025")
DALARNA = ("new", "collab", "steering", "law", "systems")
GAVLEBORG = ("lead", "law", "work", "change")
ACTIVE = {S.NOMINATED, S.ADMITTED, S.WAITLISTED, S.REGISTERED}
days = st.dates(min_value=date(2023, 6, 1), max_value=date(2026, 12, 31))
enrolment_st = st.tuples(
    st.sampled_from([("d", c) for c in DALARNA] + [("g", c) for c in GAVLEBORG]),
    st.sampled_from(TERMS),
    st.sampled_from(list(S)),
    st.integers(min_value=0, max_value=200),
    st.sampled_from([None, Decimal("7.5"), Decimal("6.0"), Decimal("9.0")]),
)
manager_st = st.fixed_dictionaries(
    {
        "in_gavle": st.booleans(),
        "enrolments": st.lists(enrolment_st, max_size=7),
        "slot_transfers": st.sets(st.integers(min_value=0, max_value=3), max_size=2),
        "whole_programme": st.one_of(st.none(), days),
    }
)
# The receiving programme's table: which Dalarna courses fill which Gävleborg slot.
table_st = st.dictionaries(
    st.sampled_from(DALARNA), st.integers(min_value=0, max_value=3), max_size=5
)


class Rollback(Exception):
    pass


@pytest.fixture
def two(world, gavleborg):
    offerings = {}
    for term in TERMS:
        for key in DALARNA:
            offerings["d", key, term] = f.OfferingFactory(
                course=world.courses[key], term=term, state=OfferingState.FINISHED
            )
        for key in GAVLEBORG:
            offerings["g", key, term] = f.OfferingFactory(
                course=gavleborg.courses[key], term=term, state=OfferingState.FINISHED
            )
    return world, gavleborg, offerings


def _write(two, managers, table):
    world, gavleborg, offerings = two
    CourseEquivalence.objects.bulk_create(
        CourseEquivalence(
            programme=gavleborg.programme, course=world.courses[key], slot=gavleborg.slots[slot]
        )
        for key, slot in table.items()
    )
    people = []
    for n, spec in enumerate(managers):
        municipality = gavleborg.gavle if spec["in_gavle"] else world.borlange
        programme, slots = (
            (gavleborg.programme, gavleborg.slots)
            if spec["in_gavle"]
            else (world.programme, world.slots)
        )
        person = Participant.objects.create(
            municipality=municipality, first_name="P", last_name=str(n), email=f"p{n}@x.se"
        )
        person.municipality = municipality
        rows, active = [], set()
        for (side, key), term, state, after, credits in spec["enrolments"]:
            offering = offerings[side, key, term]
            slot_id = offering.course.slot_id
            if state in ACTIVE:
                state = S.WITHDRAWN if slot_id in active else state
                active.add(slot_id)
            result = state in (S.PASSED, S.FAILED)
            rows.append(
                Enrolment(
                    participant=person,
                    offering=offering,
                    slot_id=slot_id,
                    state=state,
                    waitlist_position=1 if state == S.WAITLISTED else None,
                    grade="G" if state == S.PASSED else ("U" if state == S.FAILED else ""),
                    credits=credits if result else None,
                    result_date=offering.start_date + timedelta(days=after) if result else None,
                )
            )
        Enrolment.objects.bulk_create(rows)
        CreditTransfer.objects.bulk_create(
            [
                CreditTransfer(
                    participant=person,
                    programme=programme,
                    slot=slots[i],
                    decided_on=date(2024, 6, 1),
                    reason="Motsvarande utbildning",
                )
                for i in spec["slot_transfers"]
            ]
            + (
                [
                    CreditTransfer(
                        participant=person,
                        programme=programme,
                        decided_on=spec["whole_programme"],
                        reason="Motsvarande utbildning",
                    )
                ]
                if spec["whole_programme"]
                else []
            )
        )
        people.append(person)
    return people


def _check(people, on):
    progress = progress_for(people, on)
    listed = {
        p.pk: p for p in with_programme_status(Participant.objects.filter(pk__in=progress), on)
    }
    for person in people:
        mine, row = progress[person.pk], listed[person.pk]
        assert programme_status(person, mine, on=on) == row.programme_status
        assert (mine.slots_filled, mine.credits, mine.exempt_from_programme) == (
            row.slots_filled,
            row.hp,
            row.programme_exempt,
        )
        assert Decimal(0) <= mine.credits <= mine.programme.credits
        assert all(s.credits <= s.slot.credits for s in mine.slots)
        assert mine.is_complete == all(s.is_filled for s in mine.slots)


@settings(
    max_examples=500,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(managers=st.lists(manager_st, min_size=1, max_size=3), table=table_st, on=days)
def test_credit_between_programmes_is_the_same_in_python_and_sql(two, managers, table, on):
    try:
        with transaction.atomic():
            people = _write(two, managers, table)
            _check(people, on)
            raise Rollback
    except Rollback:
        pass
