"""schemathesis against /api/schema/: generated requests to every operation with a key of
each role. No answer is a server error, and every answer (status, content type, body)
is the one the schema promises.

Bounded: a few examples per operation and role, so the whole file runs in a minute or two.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories as f

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
# Boundary values of every parameter, but not every method on every path (the router
# answers those, not our code).
schema.config.phases.coverage.unexpected_methods = set()
# For the other roles, generated requests without the boundary values: the boundaries
# are the same whatever the role, and the whole file stays within about a minute.
quick_schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
quick_schema.config.phases.coverage.enabled = False

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
OTHER_ROLES = ["hr_falun", "hr_borlange", "head_borlange_social", "council"]


@pytest.fixture
def keep_connection():
    """The WSGI app closes the database connection after each request, as a server should;
    here that connection holds the test's transaction, so it stays open (as Django's test
    client keeps it)."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def region_data(world, personas):
    offering = f.OfferingFactory(course=world.courses["new"])
    for i in range(3):
        participant = f.ParticipantFactory(
            municipality=world.borlange, administration=world.borlange_care, employee_number=str(i)
        )
        f.EnrolmentFactory(participant=participant, offering=offering)
    f.ParticipantFactory(municipality=world.falun, administration=world.falun_social)


def test_the_schema_lists_every_operation():
    paths = set(schema.raw_schema["paths"])
    assert {
        "/api/v1/managers/",
        "/api/v1/managers/{id}/",
        "/api/v1/managers/bulk/",
        "/api/v1/managers/{id}/progress/",
        "/api/v1/managers/{id}/compliance/",
        "/api/v1/offerings/",
        "/api/v1/enrolments/",
        "/api/v1/aggregates/",
    } <= paths


SETTINGS = settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@SETTINGS
def test_every_answer_to_a_programme_administrator_conforms_to_the_schema(
    case, keys, region_data, keep_connection
):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {keys['programme_admin']}"}, checks=CHECKS
    )


@pytest.mark.parametrize("role", OTHER_ROLES)
@quick_schema.parametrize()
@SETTINGS
def test_every_answer_to_each_other_role_conforms_to_the_schema(
    case, role, keys, region_data, keep_connection
):
    case.call_and_validate(headers={"Authorization": f"Bearer {keys[role]}"}, checks=CHECKS)
