"""What the council's follow-up reads: key figures, the regional report and intake planning
read the database only through these functions.

Every count is made in PostgreSQL and filtered by subquery, from the facts of
`enrolment.facts` and the progress of `enrolment.progress`; no model instance is built for
aggregate work. Each function takes the region and the day, so the figures are "as of" it.
"""

from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import (
    Count,
    Q,
    Sum,
)
from django.db.models.functions import Coalesce

from enrolment import cohorts, results, setbased
from enrolment.facts import (
    SEAT_TAKEN_STATES,
    passed_q,
    placed_municipality,
    result_known_q,
)
from enrolment.models import Enrolment, EnrolmentState, Participant
from enrolment.progress import DONE_STATUSES, with_programme_status
from programmes.models import Course, CourseOffering, Municipality, OfferingState
from reporting.evaluations.models import Response


def region_municipalities(region):
    return Municipality.objects.filter(region=region)


def placed_managers(region, on: date):
    """The region's managers, each under `place` as on the day."""
    return placed_in(region_municipalities(region), on)


def placed_in(municipalities, on: date):
    """The managers placed on the day in one of the municipalities (a queryset), each
    under `place`."""
    return Participant.objects.annotate(place=placed_municipality(on=on)).filter(
        place__in=municipalities.values("pk")
    )


@dataclass(frozen=True)
class Grids:
    """The two municipality × term grids of the key figures, counted in one query:
    managers trained, {(municipality, term index): (managers, the same people)}; hp
    produced, {(municipality, term index): (hp, people)}; and hp produced per
    municipality over all terms, {municipality: (hp, people)}."""

    trained_cells: dict
    credit_cells: dict
    credit_rows: dict


def _taking_part(region, on: date) -> tuple[str, list]:
    """The region's managers placed on the day, a row each with what they took and
    passed per term (`enrolment.setbased.TAKING_PART_FIELDS`: the enrolments in which
    they took a course, `took_part_q`, and their passes, `passed_q`): stored for today,
    so that the counts below read a row per manager instead of every enrolment."""
    return setbased.taking_part_sql(region_municipalities(region), on)


def grids(region, on: date) -> Grids:
    """Per municipality and term, the managers who took a course (`took_part_q`), and the
    passes (`passed_q`) of an offering that has started with their hp and their people;
    per municipality over all terms, the hp of the passes and their people
    (`setbased.taking_part_cells`: kept counted for today)."""
    sql, params = setbased.taking_part_cells(region_municipalities(region), on)
    trained, credits, rows = {}, {}, {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for place, term, whole_row, took, passes, hp, people in cursor.fetchall():
            if whole_row:
                if passes:
                    rows[place] = (hp, people)
                continue
            if took:
                trained[(place, term)] = (took, took)
            if passes:
                credits[(place, term)] = (hp, people)
    return Grids(trained_cells=trained, credit_cells=credits, credit_rows=rows)


@dataclass(frozen=True)
class TrainedCounts:
    """The managers who took a course by the day, counted in the database: how many per
    municipality where they were placed, and the cohorts of completion and retention,
    {months: (part, whole)}, for the whole region."""

    per_place: dict[int, int]
    completion: dict[int, tuple[int, int]]
    retention: dict[int, tuple[int, int]]


def trained_counts(region, on: date) -> TrainedCounts:
    """The region's managers who took a course by the day, per municipality where they are
    placed, and its cohorts of completion and retention (`enrolment.cohorts`: kept counted
    for today)."""
    per_place, parts = {}, {}
    for place, kind, months, part, whole in cohorts.per_place(region_municipalities(region), on):
        if kind == cohorts.TRAINED:
            per_place[place] = part
            continue
        counted = parts.setdefault((kind, months), [0, 0])
        counted[0] += part
        counted[1] += whole

    def pair(kind, months):
        return tuple(parts.get((kind, months), (0, 0)))

    return TrainedCounts(
        per_place=per_place,
        completion={m: pair(cohorts.COMPLETION, m) for m in cohorts.COMPLETION_SPANS},
        retention={m: pair(cohorts.RETENTION, m) for m in cohorts.RETENTION_SPANS},
    )


def course_results(region, on: date):
    """The region's courses with their passes and fails dated by the day
    (`enrolment.results`: kept counted per offering for today)."""
    return results.with_counts(
        Course.objects.filter(slot__programme__region=region)
        .select_related("slot")
        .order_by("slot__position", "title"),
        on,
    )


def evaluation_responses(region):
    return Response.objects.filter(round__offering__course__slot__programme__region=region)


# --- Intake planning ------------------------------------------------------------------

# The offerings whose seats a coming intake can still take.
PLANNED_STATES = (OfferingState.PLANNED, OfferingState.OPEN)


def first_course_seats(region_ids, term_indexes) -> tuple[dict[int, int], dict[int, int]]:
    """The seats of the first course (slot 1, every alternative) planned or open per term,
    and how many of them are taken: ({term index: seats}, {term index: taken})."""
    offerings = CourseOffering.objects.filter(
        course__slot__programme__region_id__in=region_ids,
        course__slot__position=1,
        state__in=PLANNED_STATES,
        term_index__in=term_indexes,
    )
    seats = dict(
        offerings.values("term_index")
        .annotate(seats=Sum("seats"))
        .order_by()
        .values_list("term_index", "seats")
    )
    taken = dict(
        Enrolment.objects.filter(offering__in=offerings, state__in=SEAT_TAKEN_STATES)
        .values("offering__term_index")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("offering__term_index", "n")
    )
    return seats, taken


# --- The regional report ---------------------------------------------------------------


@dataclass(frozen=True)
class Participation:
    """The regional report's managers who took a course in a period of terms:
    `per_place`, {municipality: {"participants", "passed", "failed", "credits",
    "completed"}}; `per_course`, the same per course (without "completed"); `began`,
    {term index: those whose first course of the period was in it}; `per_term`, {term
    index: those who took a course in it}."""

    per_place: dict
    per_course: dict
    began: dict
    per_term: dict

    @property
    def participants(self) -> int:
        return sum(self.began.values())


def participation(region, on: date, first_term: int, last_term: int) -> Participation:
    """Of the region's managers who took a course (`took_part_q`) in the terms from
    `first_term` to `last_term` (indexes), in one query: per municipality where they were
    placed on the day, how many, their passes (`passed_q`), their fails with a known
    result, the hp of the passes and how many had completed the programme or been
    exempted from it on the day; the same per course; and how many began and took part
    per term."""
    sql, params = _taking_part(region, on)
    query = f"""
        WITH s AS ({sql}), {setbased.TAKING_PART_KINDS},
        r AS (SELECT * FROM c WHERE term BETWEEN %s AND %s),
        whole AS (SELECT key, MIN(term) AS first, SUM(passes) AS passes,
                         SUM(fails) AS fails, SUM(hp) AS hp
                  FROM r GROUP BY key),
        per_course AS (SELECT key, course, SUM(passes) AS passes, SUM(fails) AS fails,
                              SUM(hp) AS hp
                       FROM r GROUP BY key, course),
        terms AS (SELECT DISTINCT key, term FROM r)
        SELECT 'place', k.place, SUM(k.n), SUM(k.n * w.passes), SUM(k.n * w.fails),
               SUM(k.n * w.hp), COALESCE(SUM(k.n) FILTER (WHERE k.programme_status = ANY(%s)), 0)
        FROM k JOIN whole w ON w.key = k.key GROUP BY k.place
        UNION ALL
        SELECT 'course', p.course, SUM(k.n), SUM(k.n * p.passes), SUM(k.n * p.fails),
               SUM(k.n * p.hp), 0
        FROM k JOIN per_course p ON p.key = k.key GROUP BY p.course
        UNION ALL
        SELECT 'first', w.first, SUM(k.n), 0, 0, 0, 0
        FROM k JOIN whole w ON w.key = k.key GROUP BY w.first
        UNION ALL
        SELECT 'term', t.term, SUM(k.n), 0, 0, 0, 0
        FROM k JOIN terms t ON t.key = k.key GROUP BY t.term"""
    per_place, per_course, began, per_term = {}, {}, {}, {}
    with connection.cursor() as cursor:
        cursor.execute(query, [*params, first_term, last_term, list(DONE_STATUSES)])
        for kind, key, n, passed, failed, credits, completed in cursor.fetchall():
            if kind in ("place", "course"):
                (per_place if kind == "place" else per_course)[key] = {
                    "participants": n,
                    "passed": passed,
                    "failed": failed,
                    "credits": credits,
                    "completed": completed,
                }
            else:
                (began if kind == "first" else per_term)[key] = n
    return Participation(per_place=per_place, per_course=per_course, began=began, per_term=per_term)


def completed_in(municipalities, on: date, enrolments) -> dict[int, int]:
    """Of the managers behind `enrolments`, how many had completed the programme (or been
    exempted from it) on the day, per municipality where they were placed, for any
    municipalities (a queryset), such as every region's of the nation, in one query."""
    takers = placed_in(municipalities, on).filter(pk__in=enrolments.values("participant_id"))
    return dict(
        with_programme_status(takers, on)
        .filter(programme_status__in=DONE_STATUSES)
        .values("place")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("place", "n")
    )


def programme_courses(programme):
    """The programme's courses in the order of its slots."""
    return (
        Course.objects.filter(slot__programme=programme)
        .select_related("slot")
        .order_by("slot__position", "title")
    )


def results_by(enrolments, key: str, on: date) -> dict:
    """Passes, fails, hp of the passes and the managers behind `enrolments`, per `key`."""
    passed = passed_q(on=on)
    return {
        row[key]: row
        for row in enrolments.values(key)
        .annotate(
            passed=Count("pk", filter=passed),
            failed=Count("pk", filter=Q(state=EnrolmentState.FAILED) & result_known_q(on=on)),
            credits=Sum(Coalesce("credits", "offering__course__credits"), filter=passed),
            participants=Count("participant", distinct=True),
        )
        .order_by()
    }
