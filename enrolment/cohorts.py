"""The council's cohorts of managers who took a course, per municipality where they are
placed on the day:

- *trained*: the managers who took a course by the day (they have a first course);
- *completion* within `months`: of those whose first course started at least `months`
  before the day and who are not exempt from the programme, those whose programme was
  complete by the first course's start plus `months`;
- *retention* after `months`: of those whose first course started at least `months`
  before the day, those who had not left the role by its start plus `months`.

`per_place` reads them as rows (place, kind, months, part, whole): for today from where
`enrolment.projection.refresh` keeps them counted (`TrainedCohort`), in the transaction
that changes the stored rows, for another day counted afresh. Both are counted by
`counted`, so they are the same rule.
"""

from datetime import date

from django.db import connection
from django.db.models import Count, F, Q

from . import setbased
from .facts import left_q
from .mandates import AddMonths, add_months
from .models import Participant

# Completion is counted within two and three years of the first course.
COMPLETION_SPANS = (24, 36)
# Retention is counted 12 and 24 months after the first course.
RETENTION_SPANS = (12, 24)

TRAINED, COMPLETION, RETENTION = "trained", "completion", "retention"
COLUMNS = ("place", "kind", "months", "part", "whole")


def counted(managers, on: date):
    """Per municipality where they are placed (`place`), of `managers` (annotated with
    the columns of `setbased.TAKING_PART_FIELDS` and `completed_on`): the trained, `n`,
    and each cohort's part and whole (`completed_M`, `completion_M`, `kept_M`,
    `retention_M`)."""
    first = F("first_course_start")
    counts = {"n": Count("pk")}
    for months in COMPLETION_SPANS:
        cohort = Q(first_course_start__lte=add_months(on, -months), programme_exempt=False)
        counts[f"completed_{months}"] = Count(
            "pk", filter=cohort & Q(completed_on__lte=AddMonths(first, months))
        )
        counts[f"completion_{months}"] = Count("pk", filter=cohort)
    for months in RETENTION_SPANS:
        cohort = Q(first_course_start__lte=add_months(on, -months))
        counts[f"kept_{months}"] = Count("pk", filter=cohort & ~left_q(on=AddMonths(first, months)))
        counts[f"retention_{months}"] = Count("pk", filter=cohort)
    return (
        managers.filter(first_course_start__isnull=False)
        .values(place=F("placed_municipality_id"))
        .annotate(**counts)
        .order_by()
    )


def _figures():
    """(kind, months, part, whole) of each figure of a `counted` row."""
    yield TRAINED, 0, "n", "n"
    for m in COMPLETION_SPANS:
        yield COMPLETION, m, f"completed_{m}", f"completion_{m}"
    for m in RETENTION_SPANS:
        yield RETENTION, m, f"kept_{m}", f"retention_{m}"


def long_rows(row: dict) -> list[tuple]:
    """The rows (`COLUMNS`) of a `counted` row."""
    return [(row["place"], kind, m, row[part], row[whole]) for kind, m, part, whole in _figures()]


def _long(alias: str) -> str:
    """The rows (`COLUMNS`) of the `counted` rows named `alias`, as SQL."""
    return " UNION ALL ".join(
        f"SELECT {alias}.place, '{kind}', {m}, {alias}.{part}, {alias}.{whole} FROM {alias}"
        for kind, m, part, whole in _figures()
    )


def stored_counted_sql(places_sql: str, places_params, on: date) -> tuple[str, list]:
    """`counted` over the stored rows of the managers placed today in the municipalities
    of `places_sql` (for `projection.refresh`, which has brought them up to date), as SQL
    of the long rows (`COLUMNS`)."""
    from . import projection  # keeps what this module counts

    sql, params = projection.stored_sql(places_sql, places_params, placed=True, taking_part=True)
    managers = setbased._joined(
        Participant.objects.all(),
        sql,
        params,
        setbased.STANDING_FIELDS | setbased.TAKING_PART_FIELDS,
    )
    inner, inner_params = setbased._compile(counted(managers, on))
    return f"WITH counted AS ({inner}) {_long('counted')}", inner_params


def per_place(municipalities, on: date) -> list[tuple]:
    """The cohorts of the managers placed on the day in one of the municipalities (a
    queryset), as rows (`COLUMNS`). PostgreSQL only."""
    from . import projection  # keeps what this module counts

    if projection.serves(on):
        sql, params = setbased._compile(municipalities.order_by().values("pk"))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(COLUMNS)} FROM {projection.COHORTS} WHERE place IN ({sql})",
                params,
            )
            return cursor.fetchall()
    return [
        figure
        for row in counted(setbased.with_taking_part(municipalities, on), on)
        for figure in long_rows(row)
    ]
