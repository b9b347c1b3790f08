"""One manager's deadline after decisions, read from every place that shows it: the
compliance page, the compliance PDF (read back with pypdf), "Min utbildning" and intake
planning, and the reminders. All ask `enrolment.mandates.deadlines_for`; this shows they agree.

Märta Ståhl (Borlänge) was appointed 2023-03-01; the mandate in force from 2025-07-01
sets start by 2026-07-01 and complete by 2028-07-01, so without decisions she is overdue
to start. A pause through January 2026 (31 days) and an extension of the start deadline
to 2027-02-15 make it start by 2027-02-15 and complete by 2028-08-01.
"""

from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from enrolment.compliance import Status, municipality_compliance
from notifications.kinds import Kind
from notifications.reminders import due_on
from reporting.builders import build_pdf
from reporting.followup.planning import intake_plan, next_term_index
from reporting.models import ReportKind, ReportScope
from tests import factories as f

pytestmark = pytest.mark.usefixtures("media_root")

START_BY, COMPLETE_BY = date(2027, 2, 15), date(2028, 8, 1)


@pytest.fixture
def decided(world, personas):
    f.MandateFactory(municipality=world.borlange)
    manager = personas.manager_participant
    today = timezone.localdate()
    before = municipality_compliance(municipality=world.borlange, on=today).rows[0]
    assert (before.status, before.deadline) == (Status.OVERDUE, date(2026, 7, 1))
    f.PauseFactory(participant=manager, paused_from=date(2026, 1, 1), paused_to=date(2026, 1, 31))
    f.ExtensionFactory(participant=manager, decided_on=date(2026, 11, 1), new_start_by=START_BY)
    return manager


def _reminders_about(manager, on):
    return {
        (planned.kind, planned.deadline)
        for planned in due_on(on)
        if planned.participant is not None and planned.participant.pk == manager.pk
    }


def test_every_place_shows_the_same_deadline_for_the_same_manager_and_day(
    client, world, personas, decided, settings
):
    today = timezone.localdate()
    assert date(2026, 11, 1) <= today < START_BY, "the scene is written for late 2026"

    client.force_login(personas.hr_borlange)
    page = client.get(reverse("enrolment:compliance_municipality", args=["2081"]))
    (row,) = page.context["result"].rows
    assert (row.status, row.start_by, row.complete_by) == (Status.AT_RISK, START_BY, COMPLETE_BY)
    assert row.deadline == COMPLETE_BY
    assert f">{COMPLETE_BY.isoformat()}</td>" in page.content.decode()

    pdf = build_pdf(
        kind=ReportKind.COMPLIANCE,
        scope=ReportScope(municipality=world.borlange),
        data_date=today,
        language="sv",
        reference="R-DEADLINE",
    )
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(BytesIO(pdf)).pages)
    # Her row of the overdue and at-risk table: name, administration, status, deadline.
    row_text = text[text.index("Ståhl, Märta") :][:120]
    assert "I riskzonen" in row_text
    assert COMPLETE_BY.isoformat() in row_text

    client.force_login(personas.manager)
    own = client.get(reverse("enrolment:my_programme"))
    mine = own.context["compliance"]
    assert (mine.start_by, mine.complete_by, mine.deadline) == (START_BY, COMPLETE_BY, COMPLETE_BY)
    html = own.content.decode()
    assert (
        f"Starta utbildningen senast {START_BY.isoformat()}" in html or START_BY.isoformat() in html
    )
    assert COMPLETE_BY.isoformat() in html

    plan = intake_plan(municipalities=[world.borlange], region_ids=[world.region.pk], on=today)
    (planned,) = plan.rows
    # At risk by the completion deadline: she must start in the next term.
    assert (planned.in_scope, dict(planned.by_term)) == (1, {next_term_index(today): 1})

    # Reminded of the start deadline the decisions set, once it is within the lead.
    settings.NOTIFICATIONS_START_REMINDER_DAYS = [(START_BY - today).days]
    settings.NOTIFICATIONS_COMPLETION_REMINDER_DAYS = [(COMPLETE_BY - today).days]
    assert _reminders_about(decided, today) == {
        (Kind.START_REMINDER, START_BY),
        (Kind.COMPLETION_REMINDER, COMPLETE_BY),
    }


def test_a_manager_under_a_pause_gets_no_reminder(world, personas, settings):
    f.MandateFactory(municipality=world.borlange)
    manager = personas.manager_participant
    today = timezone.localdate()
    assert _reminders_about(manager, today) == {(Kind.OVERDUE, date(2026, 7, 1))}
    f.PauseFactory(
        participant=manager,
        paused_from=today,
        paused_to=date(2027, 12, 31),
        decided_on=today,
    )
    assert _reminders_about(manager, today) == set()
