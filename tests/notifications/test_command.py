"""`manage.py notifications_send` on the Dalarna demo: the dry run prints the reminders
due on a day, and they are exactly the ones compliance's deadlines call for."""

from datetime import date
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from enrolment.compliance import Status, compute_compliance
from enrolment.models import Participant
from notifications.kinds import Kind
from notifications.models import Message
from programmes.models import Municipality

DAY = date(2027, 5, 3)
REMINDERS = {Kind.START_REMINDER, Kind.COMPLETION_REMINDER, Kind.OVERDUE}


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


def dry_run(day: date) -> list[list[str]]:
    out = StringIO()
    call_command("notifications_send", date=day.isoformat(), dry_run=True, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[-1].endswith(f"meddelanden att skicka {day.isoformat()}.")
    return [line.split("\t") for line in lines[:-1]]


def test_dry_run_prints_the_reminders_that_compliance_calls_for(demo):
    lines = dry_run(DAY)
    assert Message.objects.count() == 0
    rows = {
        row.participant.pk: row
        for result in compute_compliance(Municipality.objects.all(), DAY)
        for row in result.rows
    }
    to_managers = set()
    for kind, deadline, lead, recipient, participant_id, _name in lines:
        if kind not in REMINDERS:
            continue
        row, deadline, lead = rows[int(participant_id)], date.fromisoformat(deadline), int(lead)
        if recipient == row.participant.email:
            to_managers.add((kind, row.participant.pk, deadline))
        if kind == Kind.OVERDUE:
            assert (row.status, row.deadline, lead) == (Status.OVERDUE, deadline, 0)
        else:
            expected = row.start_by if kind == Kind.START_REMINDER else row.complete_by
            assert deadline == expected
            assert 0 <= (deadline - DAY).days <= lead
    expected = {
        (Kind.OVERDUE, row.participant.pk, row.deadline)
        for row in rows.values()
        if row.status == Status.OVERDUE
    } | {
        (Kind.START_REMINDER, row.participant.pk, row.start_by)
        for row in rows.values()
        if row.status != Status.OVERDUE
        and row.start_by
        and not row.progress.begun
        and 0 <= (row.start_by - DAY).days <= 60
    }
    assert {k for k in to_managers if k[0] != Kind.COMPLETION_REMINDER} == expected
    assert any(kind == Kind.START_REMINDER for kind, *_ in expected)
    assert any(kind == Kind.OVERDUE for kind, *_ in expected)
    # HR of the manager's municipality gets each reminder too.
    hr = "hr.borlange@demo.hvd.se"
    hr_lines = [line for line in lines if line[3] == hr and line[0] in REMINDERS]
    assert {line[4] for line in hr_lines} == {
        str(pk)
        for _kind, pk, _d in to_managers
        if Participant.objects.get(pk=pk).municipality.code == "2081"
    }


def test_sending_then_dry_run_again_prints_nothing(demo):
    out = StringIO()
    call_command("notifications_send", date=DAY.isoformat(), stdout=out)
    sent = int(out.getvalue().split()[0])
    assert sent == len(mail.outbox) > 0
    assert dry_run(DAY) == []


def test_first_of_month_includes_the_heads_summary(demo):
    kinds = {line[0] for line in dry_run(date(2026, 12, 1))}
    assert Kind.HEAD_SUMMARY in kinds


def test_a_bad_date_is_refused_in_swedish(db):
    with pytest.raises(CommandError, match="är inget datum"):
        call_command("notifications_send", date="2026-13-01", dry_run=True)
