"""The stored standing (`enrolment.projection`) is always what `standing_sql` computes:
over random histories and random changes of every kind, made by the services' plain
saves, by bulk writes and by queryset updates and deletes, the rows the pages read equal
a fresh computation; and a new day, a shared change, a rebuild and a busy refresher
are each shown on their own."""

from datetime import timedelta
from decimal import Decimal

import psycopg
import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from enrolment import cohorts, projection, results, setbased
from enrolment.models import (
    CreditTransfer,
    DeadlineDecision,
    DeadlineDecisionKind,
    Enrolment,
    EnrolmentState,
    Mandate,
    Participant,
    PreviousPost,
    StaleStanding,
    StoredStanding,
    StoredStandingDay,
)
from programmes.models import Course, CourseOffering
from tests import factories as f

from .test_facts_properties import EXAMPLES, _write, in_savepoint, manager_st, mandate_st
from .test_facts_properties import scene as facts_scene  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(facts_scene):  # noqa: F811
    return facts_scene


def _computed(queryset, on):
    sql, params = setbased.standing_sql(
        *setbased._people(queryset), on, compliance=True, taking_part=True
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c.name for c in cursor.description]
        return {
            row[0]: setbased.Standing(**dict(zip(names, row, strict=True)))
            for row in cursor.fetchall()
        }


def _read(queryset, on):
    assert projection.serves(on)
    return {
        row.participant_id: row
        for row in setbased.standing_rows(queryset, on, compliance=True, taking_part=True)
    }


def _assert_stored_is_computed(ids):
    today = timezone.localdate()
    queryset = Participant.objects.filter(pk__in=ids)
    assert _read(queryset, today) == _computed(queryset, today)
    # And what is stored for everyone, not only what was read.
    stored = {
        s.participant_id: s.compliance_status for s in StoredStanding.objects.filter(pk__in=ids)
    }
    assert stored == {pk: row.compliance_status for pk, row in _computed(queryset, today).items()}
    assert _kept_cells() == _counted_cells()
    assert _kept_cohorts() == _counted_cohorts()
    assert _kept_results() == _counted_results()


def _cells(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(cursor.fetchall(), key=repr)


def _kept_cells():
    """The council's grids as `refresh` keeps them."""
    return _cells(f"SELECT {', '.join(setbased.CELL_COLUMNS)} FROM {projection.CELLS}")


def _computed_rows():
    """Every manager's row for today, computed afresh: (SQL, params)."""
    return setbased.standing_sql(
        *setbased._people(Participant.objects.all()),
        timezone.localdate(),
        compliance=True,
        taking_part=True,
    )


def _counted_cells():
    """The same counted afresh from the stored rows of the managers placed today, and from
    a fresh computation of every manager's row."""
    placed = "placed_municipality_id IS NOT NULL"
    stored = _cells(
        setbased.taking_part_cells_sql(
            f"SELECT placed_municipality_id, programme_status, taking_part_key"
            f" FROM {projection.TABLE} WHERE {placed}"
        )
    )
    sql, params = _computed_rows()
    computed = _cells(
        setbased.taking_part_cells_sql(f"SELECT * FROM ({sql}) AS r WHERE {placed}"), params
    )
    assert stored == computed
    return stored


def _kept_cohorts():
    """The council's cohorts as `refresh` keeps them."""
    return _cells(f"SELECT {', '.join(cohorts.COLUMNS)} FROM {projection.COHORTS}")


def _counted_cohorts():
    """The same counted afresh from the stored rows, and from a fresh computation."""
    today = timezone.localdate()
    stored = _cells(
        *cohorts.stored_counted_sql("SELECT id FROM programmes_municipality", [], today)
    )
    sql, params = _computed_rows()
    managers = setbased._joined(
        Participant.objects.all(),
        sql,
        params,
        setbased.STANDING_FIELDS | setbased.TAKING_PART_FIELDS,
    ).filter(placed_municipality_id__isnull=False)
    computed = sorted(
        (figure for row in cohorts.counted(managers, today) for figure in cohorts.long_rows(row)),
        key=repr,
    )
    assert stored == computed
    return stored


def _kept_results():
    """Each offering's passes and fails as `refresh` keeps them."""
    return _cells(f"SELECT offering_id, passed, failed FROM {results.TABLE}")


def _counted_results():
    """The same counted afresh from every enrolment."""
    counted = results.counts(Enrolment.objects.all(), "offering_id", timezone.localdate())
    return sorted(((row["offering_id"], row["passed"], row["failed"]) for row in counted), key=repr)


def _change(kind, pick, day, people, scene):
    """One change of the kind to the `pick`-th thing of its sort, as a page, an import or
    an administrator would make it (saves, bulk writes, queryset updates and deletes)."""
    person = people[pick % len(people)]
    enrolments = list(Enrolment.objects.filter(participant__in=people).order_by("pk"))
    enrolment = enrolments[pick % len(enrolments)] if enrolments else None
    world = scene.world
    if kind == "state" and enrolment:
        state = list(EnrolmentState)[pick % len(EnrolmentState)]
        grade = {EnrolmentState.PASSED: "G", EnrolmentState.FAILED: "U"}.get(state, "")
        Enrolment.objects.filter(pk=enrolment.pk).update(state=state, grade=grade)
    elif kind == "result" and enrolment:
        enrolment.state, enrolment.grade, enrolment.result_date = EnrolmentState.PASSED, "G", day
        enrolment.credits = Decimal("7.5")
        enrolment.save()
    elif kind == "withdraw" and enrolment:
        enrolment.delete()
    elif kind == "enrol":
        offering = list(scene.offerings.values())[pick % len(scene.offerings)]
        Enrolment.objects.bulk_create(
            [Enrolment(participant=person, offering=offering, slot=offering.course.slot)],
            ignore_conflicts=True,
        )
    elif kind == "leave":
        Participant.objects.filter(pk=person.pk).update(left_on=day)
    elif kind == "move":
        other = world.falun if person.municipality_id == world.borlange.pk else world.borlange
        PreviousPost.objects.create(
            participant=person,
            municipality=person.municipality,
            position=person.position,
            valid_to=day,
        )
        person.municipality, person.in_municipality_since = other, day
        person.save()
    elif kind == "credit":
        CreditTransfer.objects.bulk_create(
            [
                CreditTransfer(
                    participant=person,
                    programme=world.programme,
                    slot=world.slots[pick % len(world.slots)],
                    reason="Motsvarande",
                    decided_on=day,
                )
            ],
            ignore_conflicts=True,
        )
    elif kind == "uncredit":
        CreditTransfer.objects.filter(participant=person).delete()
    elif kind == "pause":
        DeadlineDecision.objects.create(
            participant=person,
            kind=DeadlineDecisionKind.PAUSE,
            decided_on=day,
            paused_from=day,
            paused_to=day + timedelta(days=90),
            reason="parental_leave",
        )
    elif kind == "mandate":
        Mandate.objects.filter(municipality=world.borlange).update(
            complete_within_months=12 + pick % 30
        )
    elif kind == "offering":
        offering = list(scene.offerings.values())[pick % len(scene.offerings)]
        CourseOffering.objects.filter(pk=offering.pk).update(
            start_date=offering.start_date + timedelta(days=30),
            end_date=offering.end_date + timedelta(days=30),
        )
    elif kind == "remove":
        Participant.objects.get(pk=person.pk).delete()
        people.remove(person)


KINDS = [
    "state",
    "result",
    "withdraw",
    "enrol",
    "leave",
    "move",
    "credit",
    "uncredit",
    "pause",
    "mandate",
    "offering",
    "remove",
]
changes_st = st.lists(
    st.tuples(
        st.sampled_from(KINDS),
        st.integers(min_value=0, max_value=20),
        st.dates(
            min_value=timezone.localdate() - timedelta(days=900), max_value=timezone.localdate()
        ),
        st.booleans(),  # read before the next change, or not
    ),
    min_size=1,
    max_size=6,
)


@settings(EXAMPLES, max_examples=150)
@given(
    managers=st.lists(manager_st, min_size=2, max_size=3), mandates=mandate_st, changes=changes_st
)
def test_the_stored_standing_is_always_what_the_computation_says(
    scene, managers, mandates, changes
):
    def check():
        people = _write(scene, managers, mandates)
        ids = [p.pk for p in people]
        _assert_stored_is_computed(ids)
        for kind, pick, day, read in changes:
            if len(people) > 1 or kind != "remove":
                try:
                    with transaction.atomic():
                        _change(kind, pick, day, people, scene)
                except IntegrityError:
                    pass  # refused by the database (a second seat in a slot): no change
            if read:
                _assert_stored_is_computed(ids)
        _assert_stored_is_computed(ids)

    in_savepoint(check)


def test_a_change_notes_the_manager_in_its_own_transaction(world):
    manager = f.ParticipantFactory(municipality=world.borlange)
    projection.refresh()
    assert not StaleStanding.objects.exists()

    Participant.objects.filter(pk=manager.pk).update(left_on=timezone.localdate())

    assert list(StaleStanding.objects.values_list("participant_id", flat=True)) == [manager.pk]
    assert setbased.Standing  # the reader brings it up to date:
    row = next(
        setbased.standing_rows(Participant.objects.filter(pk=manager.pk), timezone.localdate())
    )
    assert row.programme_status == "left"
    assert not StaleStanding.objects.exists()


def test_a_save_that_changes_nothing_notes_no_one(world):
    manager = f.ParticipantFactory(municipality=world.borlange)
    projection.refresh()

    Participant.objects.filter(pk=manager.pk).update(first_name=manager.first_name)

    assert not StaleStanding.objects.exists()


def test_a_shared_change_puts_every_row_out_of_date(world):
    f.ParticipantFactory(municipality=world.borlange)
    projection.refresh()
    assert StoredStandingDay.objects.get().day == timezone.localdate()

    f.MandateFactory(municipality=world.falun)

    assert StoredStandingDay.objects.get().day is None


def test_a_new_day_recomputes_every_row(world):
    manager = f.ParticipantFactory(municipality=world.borlange)
    projection.refresh()
    StoredStanding.objects.filter(pk=manager.pk).update(hp=Decimal("30.0"))
    StoredStandingDay.objects.update(day=timezone.localdate() - timedelta(days=1))

    row = next(
        setbased.standing_rows(Participant.objects.filter(pk=manager.pk), timezone.localdate())
    )

    assert row.hp == 0
    assert StoredStandingDay.objects.get().day == timezone.localdate()


def test_other_days_are_computed_not_read(world):
    manager = f.ParticipantFactory(municipality=world.borlange)
    projection.refresh()
    StoredStanding.objects.filter(pk=manager.pk).update(hp=Decimal("30.0"))

    yesterday = timezone.localdate() - timedelta(days=1)
    row = next(setbased.standing_rows(Participant.objects.filter(pk=manager.pk), yesterday))

    assert not projection.serves(yesterday)
    assert row.hp == 0


def test_the_rebuild_command_mends_a_row_written_by_hand(world):
    manager = f.ParticipantFactory(municipality=world.borlange)
    projection.refresh()
    StoredStanding.objects.filter(pk=manager.pk).update(hp=Decimal("30.0"))

    call_command("standing_rebuild")

    assert StoredStanding.objects.get(pk=manager.pk).hp == 0


@pytest.mark.django_db(transaction=True)
def test_a_reader_that_finds_the_rows_being_updated_computes_its_own_answer(world):
    # Committed, so that the refresher's lock is let go before another session takes it.
    manager = f.ParticipantFactory(municipality=world.borlange)
    projection.refresh()
    Participant.objects.filter(pk=manager.pk).update(left_on=timezone.localdate())
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [projection.LOCK])
        try:
            assert not projection.serves(timezone.localdate())
            row = next(
                setbased.standing_rows(
                    Participant.objects.filter(pk=manager.pk), timezone.localdate()
                )
            )
        finally:
            other.execute("SELECT pg_advisory_unlock(%s)", [projection.LOCK])
    assert row.programme_status == "left"
    assert StaleStanding.objects.filter(participant_id=manager.pk).exists()


def test_a_row_left_by_a_refresh_racing_a_deletion_goes_with_the_next_refresh(world):
    manager = f.ParticipantFactory(municipality=world.borlange)
    projection.refresh()
    gone = manager.pk
    # What a refresh computing the manager while another transaction deleted them leaves:
    # their row, and the deletion's note (a deletion outside the ORM leaves the row too).
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM enrolment_participant WHERE id = %s", [gone])
    assert StoredStanding.objects.filter(pk=gone).exists()
    assert StaleStanding.objects.filter(participant_id=gone).exists()

    assert projection.serves(timezone.localdate())

    assert not StoredStanding.objects.filter(pk=gone).exists()
    assert not StaleStanding.objects.exists()


def _place_cells(place):
    return [row for row in _kept_cells() if row[0] == place]


@pytest.fixture
def counted(world):
    """Six managers in Borlänge and five in Falun who passed a course, their grids counted
    by a refresh of every row."""
    people = {}
    for town, n in ((world.borlange, 6), (world.falun, 5)):
        people[town.pk] = [f.ParticipantFactory(municipality=town) for _i in range(n)]
        for person in people[town.pk]:
            f.pass_course(person, world.courses["new"], "HT2025")
    projection.refresh()
    assert _kept_cells() == _counted_cells()
    assert _kept_cohorts() == _counted_cohorts()
    assert _kept_results() == _counted_results()
    return people


def test_a_change_to_one_manager_counts_their_municipality_again(world, counted):
    borlange, falun = _place_cells(world.borlange.pk), _place_cells(world.falun.pk)
    person = counted[world.borlange.pk][0]
    Enrolment.objects.filter(participant=person).update(state=EnrolmentState.FAILED, grade="U")

    assert projection.serves(timezone.localdate())
    assert _kept_cells() == _counted_cells()
    assert _kept_cohorts() == _counted_cohorts()
    assert _kept_results() == _counted_results()
    assert _place_cells(world.borlange.pk) != borlange
    assert _place_cells(world.falun.pk) == falun


def test_a_move_counts_both_municipalities_again(world, counted):
    borlange, falun = _place_cells(world.borlange.pk), _place_cells(world.falun.pk)
    person = counted[world.borlange.pk][0]
    PreviousPost.objects.create(
        participant=person,
        municipality=world.borlange,
        position=person.position,
        valid_to=timezone.localdate(),
    )
    person.municipality, person.in_municipality_since = world.falun, timezone.localdate()
    person.save()

    assert projection.serves(timezone.localdate())
    assert _kept_cells() == _counted_cells()
    assert _kept_cohorts() == _counted_cohorts()
    assert _kept_results() == _counted_results()
    assert _place_cells(world.borlange.pk) != borlange
    assert _place_cells(world.falun.pk) != falun


def test_a_deleted_manager_is_counted_out_of_their_municipality(world, counted):
    borlange = _place_cells(world.borlange.pk)
    person = counted[world.borlange.pk][0]
    Enrolment.objects.filter(participant=person).delete()
    person.delete()

    assert projection.serves(timezone.localdate())
    assert _kept_cells() == _counted_cells()
    assert _kept_cohorts() == _counted_cohorts()
    assert _kept_results() == _counted_results()
    assert _place_cells(world.borlange.pk) != borlange


def test_a_change_to_one_manager_recomputes_only_the_managers_noted(world, counted):
    """After a change to one manager the next reader computes their row, not everyone's:
    a row written by hand for another manager stays as it was until a refresh of every
    row (a new day, a shared change, the rebuild)."""
    changed, other = counted[world.borlange.pk][0], counted[world.falun.pk][0]
    StoredStanding.objects.filter(pk=other.pk).update(hp=Decimal("30.0"))
    Enrolment.objects.filter(participant=changed).update(state=EnrolmentState.FAILED, grade="U")

    assert projection.serves(timezone.localdate())

    assert StoredStanding.objects.get(pk=changed.pk).hp == 0
    assert StoredStanding.objects.get(pk=other.pk).hp == Decimal("30.0")
    projection.refresh()
    assert StoredStanding.objects.get(pk=other.pk).hp == Decimal("7.5")


def test_a_manager_who_left_is_counted_out_of_retention_in_their_municipality(world, counted):
    """Their leaving day counts for retention though their stored row does not hold it:
    moved from after to before a year from their first course, both in the past, the row
    says "left" either way, and their municipality is counted again all the same."""

    def retained(place):
        return [row[3] for row in _kept_cohorts() if row[:3] == (place, cohorts.RETENTION, 12)]

    person = counted[world.borlange.pk][0]
    first = StoredStanding.objects.get(pk=person.pk).first_course_start
    late, early = first + timedelta(days=400), first + timedelta(days=100)
    assert late < timezone.localdate()
    Participant.objects.filter(pk=person.pk).update(left_on=late)
    assert projection.serves(timezone.localdate())
    before = retained(world.borlange.pk)
    row = StoredStanding.objects.get(pk=person.pk)

    Participant.objects.filter(pk=person.pk).update(left_on=early)

    assert projection.serves(timezone.localdate())
    assert StoredStanding.objects.get(pk=person.pk) == row
    assert _kept_cohorts() == _counted_cohorts()
    assert _kept_results() == _counted_results()
    assert retained(world.borlange.pk) == [before[0] - 1]


def _results_by_offering():
    return {offering: (passed, failed) for offering, passed, failed in _kept_results()}


def test_a_result_counts_its_offering_again_and_a_moved_enrolment_both(world, counted):
    other = f.offering_for(world.courses["new"], "VT2026")
    projection.refresh()  # a new offering is a shared change: every row, every offering
    person = counted[world.borlange.pk][0]
    enrolment = Enrolment.objects.get(participant=person)
    old = enrolment.offering_id
    before = _results_by_offering()

    Enrolment.objects.filter(pk=enrolment.pk).update(state=EnrolmentState.FAILED, grade="U")

    assert projection.serves(timezone.localdate())
    assert _kept_results() == _counted_results()
    assert _results_by_offering()[old] == (before[old][0] - 1, before[old][1] + 1)

    Enrolment.objects.filter(pk=enrolment.pk).update(offering=other)

    assert projection.serves(timezone.localdate())
    assert _kept_results() == _counted_results()
    moved = _results_by_offering()
    assert moved[old] == (before[old][0] - 1, before[old][1])
    assert moved[other.pk] == (0, 1)
    today = timezone.localdate()
    per_course = {
        row["offering__course_id"]: (row["passed"], row["failed"])
        for row in results.counts(Enrolment.objects.all(), "offering__course_id", today)
    }
    kept = {c.pk: (c.passed, c.failed) for c in results.with_counts(Course.objects.all(), today)}
    assert {c: n for c, n in kept.items() if n != (0, 0)} == per_course
