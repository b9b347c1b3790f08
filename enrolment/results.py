"""Passes and fails with a known result, counted per offering or per course.

An enrolment counts as passed (`facts.passed_q`), or failed with a result known by the
day (`facts.result_known_q`): `counts` per offering and `with_counts` per course use the
same conditions (`_conditions`). For today `with_counts` reads each offering's counts
where `enrolment.projection.refresh` keeps them (`OfferingResults`), counted again for the
offerings whose enrolments changed (noted by triggers, migration `enrolment.0013`) in the
refresh's transaction, and for every offering once a day; for another day it counts the
enrolments themselves.
"""

from datetime import date

from django.db.models import Count, IntegerField, Q
from django.db.models.expressions import RawSQL

from . import setbased
from .facts import passed_q, result_known_q
from .models import Enrolment, EnrolmentState

TABLE = "enrolment_offeringresults"
NOTED = "enrolment_staleoffering"


def _conditions(on: date, prefix: str = "") -> dict:
    """The conditions of a pass and of a fail with a known result by the day, on the
    enrolments reached through `prefix`."""
    return {
        "passed": passed_q(on=on, prefix=prefix),
        "failed": Q(**{f"{prefix}state": EnrolmentState.FAILED})
        & result_known_q(on=on, prefix=prefix),
    }


def counts(enrolments, key: str, on: date):
    """Per `key` of `enrolments`: `passed` and `failed` with a known result by the day."""
    return (
        enrolments.values(key)
        .annotate(**{name: Count("pk", filter=q) for name, q in _conditions(on).items()})
        .order_by()
    )


def counted_sql(offerings_sql: str, on: date) -> tuple[str, list]:
    """`counts` per offering of the offerings of `offerings_sql` (no parameters), as SQL of
    rows (offering_id, passed, failed), for `projection.refresh`."""
    enrolments = Enrolment.objects.filter(offering_id__in=RawSQL(offerings_sql, []))
    return setbased._compile(
        counts(enrolments, "offering_id", on).values_list("offering_id", "passed", "failed")
    )


def with_counts(courses, on: date):
    """`courses` (a queryset of courses) each with `passed` and `failed` over all its
    offerings, by the day."""
    from . import projection  # keeps what this module counts

    if projection.serves(on):
        kept = (
            f"SELECT COALESCE(SUM(r.{{}}), 0) FROM {TABLE} r"
            " JOIN programmes_courseoffering o ON o.id = r.offering_id"
            " WHERE o.course_id = programmes_course.id"
        )
        return courses.annotate(
            passed=RawSQL(kept.format("passed"), [], output_field=IntegerField()),
            failed=RawSQL(kept.format("failed"), [], output_field=IntegerField()),
        )
    return courses.annotate(
        **{
            name: Count("offerings__enrolments", filter=q)
            for name, q in _conditions(on, "offerings__enrolments__").items()
        }
    )
