"""`mandates.AddMonths` (SQL) gives the day `mandates.add_months` (Python) gives: the same
day so many months later, or that month's last day (31 Jan + 1 month = 28/29 Feb)."""

from datetime import date

from django.db import connection
from django.db.models import Value
from django.db.models.sql import Query
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from enrolment.mandates import AddMonths, add_months
from enrolment.models import Participant


def _in_sql(day: date, months: int) -> date:
    query = Query(Participant)
    compiler = query.get_compiler(connection=connection)
    sql, params = (
        AddMonths(Value(day), months).resolve_expression(query).as_sql(compiler, connection)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}", params)
        return cursor.fetchone()[0]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    day=st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)),
    months=st.integers(min_value=-120, max_value=120),
)
@example(day=date(2024, 1, 31), months=1)
@example(day=date(2024, 2, 29), months=12)
@example(day=date(2024, 3, 31), months=-1)
def test_add_months_in_sql_is_the_python_rule(db, day, months):
    assert _in_sql(day, months) == add_months(day, months)
