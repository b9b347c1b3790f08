"""Two runs of the daily reminders at the same time, on PostgreSQL, each in its own
thread and connection: every reminder reaches the SMTP server once."""

import re
import threading
from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from notifications.models import Message, MessageState
from notifications.reminders import due_on
from tests import factories as f

DAY = date(2026, 11, 29)


def _run(barrier, outputs, errors):
    out = StringIO()
    try:
        barrier.wait(timeout=30)
        call_command("notifications_send", date=DAY.isoformat(), stdout=out)
        outputs.append(out.getvalue())
    except Exception as exc:
        errors.append(exc)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_runs_send_each_reminder_once(smtp, town, world):
    for n in range(30):
        f.ParticipantFactory(
            municipality=world.borlange,
            email=f"chef{n}@borlange.se",
            appointed_on=date(2026, 1, 2 + n % 20),
        )
    due = due_on(DAY)
    assert len(due) >= 60

    barrier, outputs, errors = threading.Barrier(2), [], []
    threads = [threading.Thread(target=_run, args=(barrier, outputs, errors)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    # Each run sent what it wrote to the log; together, everything due.
    sent = [int(re.match(r"(\d+) av (\d+)", output).group(1)) for output in outputs]
    assert sum(sent) == len(due)

    # A reminder is its recipient, subject line and text (which names the manager).
    received = Counter(
        (rcpt, m["Subject"], m.get_body(preferencelist=("plain",)).get_content())
        for rcpt, m in smtp.received
    )
    assert max(received.values()) == 1
    assert len(received) == len(due) == len(smtp.received)
    assert Message.objects.filter(state=MessageState.SENT).count() == len(due)
