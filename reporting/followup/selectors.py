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
    BooleanField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    Sum,
)
from django.db.models.functions import Coalesce

from enrolment.facts import (
    SEAT_TAKEN_STATES,
    left_q,
    passed_q,
    placed_municipality,
    result_known_q,
)
from enrolment.mandates import AddMonths, add_months
from enrolment.models import Enrolment, EnrolmentState, Participant
from enrolment.progress import DONE_STATUSES, with_completion_date, with_programme_status
from programmes.models import Course, CourseOffering, Municipality, OfferingState
from reporting.evaluations.models import TOOK_COURSE_STATES, Response

# A pass gives the hp recorded on it, else the course's.
_HP_OF_PASS = Coalesce(
    "credits",
    "offering__course__credits",
    output_field=DecimalField(max_digits=8, decimal_places=1),
)


def took_part_q(*, on: date, prefix: str = "") -> Q:
    """An enrolment in which a manager took a course by the day: registered, passed or
    failed on an offering that has started. The regional report counts the same."""
    return Q(
        **{
            f"{prefix}state__in": TOOK_COURSE_STATES,
            f"{prefix}offering__start_date__lte": on,
        }
    )


def region_municipalities(region):
    return Municipality.objects.filter(region=region)


def placed_enrolments(region, on: date):
    """Enrolments of the region's managers, each under `place`: the municipality where
    the manager was placed on the day (a manager who moved since counts where they were)."""
    return Enrolment.objects.annotate(
        place=placed_municipality(on=on, prefix="participant__")
    ).filter(place__in=region_municipalities(region).values("pk"))


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


def grids(region, on: date) -> Grids:
    """Each enrolment of the region's managers on an offering that has started, flagged
    when its manager took the course (`took_part_q`) and when it is a pass by the day
    (`passed_q`), grouped by municipality and term and by municipality alone."""
    started = Q(offering__start_date__lte=on)
    passed = passed_q(on=on) & started
    took_part = took_part_q(on=on)
    enrolments = (
        placed_enrolments(region, on)
        .filter(took_part | passed)
        .annotate(
            took_part=ExpressionWrapper(took_part, output_field=BooleanField()),
            passed=ExpressionWrapper(passed, output_field=BooleanField()),
            hp=_HP_OF_PASS,
        )
        .values("participant_id", "place", "offering__term_index", "took_part", "passed", "hp")
        .order_by()
    )
    sql, params = enrolments.query.sql_with_params()
    grouped = f"""
        SELECT e.place, e.term_index, GROUPING(e.term_index),
               COUNT(DISTINCT e.participant_id) FILTER (WHERE e.took_part),
               COUNT(*) FILTER (WHERE e.passed),
               SUM(e.hp) FILTER (WHERE e.passed),
               COUNT(DISTINCT e.participant_id) FILTER (WHERE e.passed)
        FROM (SELECT participant_id, place, offering__term_index AS term_index, took_part,
                     passed, hp FROM ({sql}) AS inner_rows) AS e
        GROUP BY GROUPING SETS ((e.place, e.term_index), (e.place))"""
    trained, credits, rows = {}, {}, {}
    with connection.cursor() as cursor:
        cursor.execute(grouped, params)
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


def trained_counts(region, on: date, *, completion_spans, retention_spans) -> TrainedCounts:
    """One row per municipality, in one query, of the managers who took a course by the
    day (each with the start of their first course):

    - *completion* within `months`: of those whose first course started at least `months`
      before the day and who are not exempt from the programme, those whose programme was
      complete by the first course's start plus `months`;
    - *retention* after `months`: of those whose first course started at least `months`
      before the day, those who had not left the role by its start plus `months`.

    Progress (exemption, completion date) is read only for the managers whose first course
    started early enough to be in a completion cohort."""
    first_start = Min(
        "enrolments__offering__start_date",
        filter=took_part_q(on=on, prefix="enrolments__"),
    )
    flags = {}
    for months in completion_spans:
        flags[f"completion_{months}"] = Q(first_start__lte=add_months(on, -months))
        flags[f"complete_by_{months}"] = AddMonths(F("first_start"), months)
    for months in retention_spans:
        flags[f"retention_{months}"] = Q(first_start__lte=add_months(on, -months))
        flags[f"kept_{months}"] = ~left_q(on=AddMonths(F("first_start"), months))
    trained = (
        placed_managers(region, on)
        .annotate(first_start=first_start)
        .filter(first_start__isnull=False)
        .annotate(
            **{
                name: flag
                if not isinstance(flag, Q)
                else ExpressionWrapper(flag, output_field=BooleanField())
                for name, flag in flags.items()
            }
        )
        .values("pk", "place", *flags)
        .order_by()
    )
    earliest = add_months(on, -min(completion_spans, default=0))
    in_a_cohort = Exists(
        Enrolment.objects.filter(
            took_part_q(on=on),
            offering__start_date__lte=earliest,
            participant_id=OuterRef("pk"),
        )
    )
    progress = (
        with_completion_date(placed_managers(region, on).filter(in_a_cohort), on)
        .values("pk", "programme_exempt", "completed_on")
        .order_by()
    )
    not_exempt = "NOT COALESCE(s.programme_exempt, FALSE)"
    columns = []
    for months in completion_spans:
        cohort = f"t.completion_{months} AND {not_exempt}"
        columns += [
            f"COUNT(*) FILTER (WHERE {cohort} AND s.completed_on <= t.complete_by_{months})",
            f"COUNT(*) FILTER (WHERE {cohort})",
        ]
    for months in retention_spans:
        columns += [
            f"COUNT(*) FILTER (WHERE t.retention_{months} AND t.kept_{months})",
            f"COUNT(*) FILTER (WHERE t.retention_{months})",
        ]
    trained_sql, trained_params = trained.query.sql_with_params()
    progress_sql, progress_params = progress.query.sql_with_params()
    sql = f"""
        SELECT t.place, COUNT(*), {", ".join(columns)}
        FROM ({trained_sql}) AS t LEFT JOIN ({progress_sql}) AS s ON s.pk = t.pk
        GROUP BY t.place"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [*trained_params, *progress_params])
        rows = cursor.fetchall()
    per_place = {row[0]: row[1] for row in rows}
    sums = [sum(row[i] for row in rows) for i in range(2, 2 + len(columns))]
    pairs = [tuple(sums[i : i + 2]) for i in range(0, len(sums), 2)]
    spans = len(completion_spans)
    return TrainedCounts(
        per_place=per_place,
        completion=dict(zip(completion_spans, pairs[:spans], strict=True)),
        retention=dict(zip(retention_spans, pairs[spans:], strict=True)),
    )


def course_results(region, on: date):
    """The region's courses with their passes and fails dated by the day."""
    results = "offerings__enrolments"
    return (
        Course.objects.filter(slot__programme__region=region)
        .annotate(
            passed=Count(
                results,
                filter=passed_q(on=on, prefix=f"{results}__"),
            ),
            failed=Count(
                results,
                filter=Q(offerings__enrolments__state=EnrolmentState.FAILED)
                & result_known_q(on=on, prefix=f"{results}__"),
            ),
        )
        .select_related("slot")
        .order_by("slot__position", "title")
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


def completed_by_place(region, on: date, enrolments) -> dict[int, int]:
    """Of the managers behind `enrolments` (a queryset of `placed_enrolments`), how many
    had completed the programme (or been exempted from it) on the day, per municipality
    where they were placed."""
    return completed_in(region_municipalities(region), on, enrolments)


def completed_in(municipalities, on: date, enrolments) -> dict[int, int]:
    """`completed_by_place` for any municipalities (a queryset), such as every region's
    of the nation, in one query."""
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
