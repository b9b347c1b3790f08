"""Reminders from compliance's deadlines, the HR digest and the heads' summary, received
by a real SMTP server; each goes once however often the run is repeated."""

from datetime import date

import pytest

from enrolment.compliance import Status, municipality_compliance
from enrolment.services.requests import nomination_request_create
from notifications.kinds import Kind
from notifications.models import Message
from notifications.reminders import lead_for, reminders_queue
from tests import factories as f

pytestmark = pytest.mark.django_db

LISA = "lisa.berg@borlange.se"


@pytest.fixture
def run(smtp, eager, django_capture_on_commit_callbacks):
    def queue(on):
        with django_capture_on_commit_callbacks(execute=True):
            return reminders_queue(on=on)

    return queue


def text_of(email) -> str:
    return email.get_body(preferencelist=("plain",)).get_content()


@pytest.mark.parametrize(
    ("days_left", "lead"),
    [(61, None), (60, 60), (15, 60), (14, 14), (0, 14), (-1, None)],
)
def test_a_reminder_is_due_from_its_lead_day_until_the_deadline(days_left, lead):
    deadline = date(2027, 1, 15)
    on = date.fromordinal(deadline.toordinal() - days_left)
    assert lead_for(deadline, on, (60, 14)) == lead


def test_start_reminders_before_the_deadline_and_overdue_after(run, smtp, town, world):
    start_by = municipality_compliance(municipality=world.borlange, on=date(2026, 11, 29)).rows[0]
    assert start_by.start_by == date(2027, 1, 15)

    run(date(2026, 11, 29))
    email = smtp.one(LISA, "Börja utbildningen senast 2027-01-15")
    assert "Din kommun vill att du börjar utbildningen senast 2027-01-15." in text_of(email)
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    copy = smtp.one("personal@borlange.se", "Börja utbildningen")
    assert "Lisa Berg ska börja utbildningen senast 2027-01-15." in text_of(copy)
    # The next days and a second run send nothing new.
    assert run(date(2026, 11, 29)) == []
    assert run(date(2026, 12, 20)) == []

    run(date(2027, 1, 2))
    assert len(smtp.to(LISA)) == 2
    assert Message.objects.get(recipient_email=LISA, lead_days=14).deadline == date(2027, 1, 15)

    run(date(2027, 1, 16))
    overdue = smtp.one(LISA, "Sista dag har passerat")
    assert "2027-01-15" in text_of(overdue)
    assert overdue["List-Unsubscribe"] is None
    assert run(date(2027, 1, 17)) == []
    assert len(smtp.to(LISA)) == 3


def test_completion_reminder_for_a_manager_under_way(run, smtp, world, personas):
    f.MandateFactory(municipality=world.falun, effective_from=date(2023, 1, 1))
    manager = f.ParticipantFactory(
        municipality=world.falun, email="per.as@falun.se", appointed_on=date(2024, 1, 10)
    )
    f.pass_course(manager, world.courses["new"], "HT2024")
    (row,) = municipality_compliance(municipality=world.falun, on=date(2026, 11, 29)).rows
    assert row.complete_by == date(2027, 1, 10) and row.status == Status.AT_RISK

    run(date(2026, 11, 29))
    (email,) = smtp.to("per.as@falun.se")
    assert email["Subject"] == "Slutför utbildningen senast 2027-01-10"
    assert smtp.one("hr@falun.se", "Slutför utbildningen")
    # Nobody in Borlänge hears about a Falun manager.
    assert all("per.as" not in text_of(m) for _rcpt, m in smtp.received if "falun" not in _rcpt[0])


def test_weekly_digest_to_hr_on_mondays(run, smtp, town, world, personas):
    vt2027 = f.OfferingFactory(
        course=world.courses["new"], term="VT2027", application_deadline=date(2026, 12, 10)
    )
    nomination_request_create(participant=town.participant, offering=vt2027)
    assert not Message.objects.filter(kind=Kind.HR_DIGEST).exists()

    run(date(2026, 11, 29))  # a Sunday
    assert not Message.objects.filter(kind=Kind.HR_DIGEST).exists()
    run(date(2026, 11, 30))
    digest = smtp.one("personal@borlange.se", "Den här veckan")
    text = text_of(digest)
    assert "Förfrågan från Lisa Berg: Ny som ledare, VT2027" in text
    assert "Sista dag för nominering 2026-12-10: Ny som ledare, VT2027" in text
    assert "Bör börja då: Lisa Berg (börja senast 2027-01-15)" in text
    # The offering is open to Falun's HR too; they read it without any Borlänge manager.
    falun = smtp.one("hr@falun.se", "Den här veckan")
    assert "Lisa" not in text_of(falun)
    run(date(2026, 11, 30))
    assert smtp.one("personal@borlange.se", "Den här veckan")
    assert Message.objects.filter(kind=Kind.HR_DIGEST).count() == 3


def test_monthly_summary_to_heads_of_administration(run, smtp, town, world, personas):
    f.MandateFactory(municipality=world.falun, effective_from=date(2023, 1, 1))
    f.ParticipantFactory(
        municipality=world.falun, last_name="Falunsson", appointed_on=date(2024, 1, 1)
    )
    run(date(2027, 1, 31))
    assert not Message.objects.filter(kind=Kind.HEAD_SUMMARY).exists()
    run(date(2027, 2, 1))
    summary = smtp.one("fc@borlange.se", "Försenade chefer och chefer i riskzonen, 2027-02")
    text = text_of(summary)
    assert "Lisa Berg, Borlänge: Försenad" in text
    assert "Falunsson" not in text
    assert smtp.one("forvaltning@borlange.se", "Försenade chefer")
