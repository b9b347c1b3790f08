"""Reports made by real Celery workers on Redis and the test database.

These tests commit their data (transactional_db): the workers read it through their own
connections. Each PDF is small, so that they stay quick.
"""

import json
import time
import uuid

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from portal.celery import app as celery_app
from reporting.models import Failure, ReportKind, ReportRequest, ReportScope, ReportState
from reporting.services import requests as requests_service
from reporting.services.requests import report_request
from reporting.tasks import build_report
from tests.workers import queue_name, start_worker, stop_worker

from .conftest import pdf_pages, pdf_text

pytestmark = pytest.mark.worker


@pytest.fixture
def report_files():
    """The workers write to the portal's own MEDIA_ROOT: remove what the test made."""
    yield
    for report in ReportRequest.objects.exclude(file=""):
        report.file.delete(save=False)


def _wait(report_id, until, timeout=60.0):
    """Poll the row until `until(row)`, recording each state it passes through."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = ReportRequest.objects.get(pk=report_id)
        if not seen or seen[-1] != row.state:
            seen.append(row.state)
        if until(row):
            return row, seen
        time.sleep(0.05)
    raise AssertionError(f"report {report_id} did not get there in time; it went {seen}")


def test_a_requested_report_goes_queued_running_done_with_the_scopes_names_only(
    transactional_db, celery_worker, report_files, world, personas, completed, borlange_team
):
    report = report_request(
        user=personas.hr_borlange,
        kind=ReportKind.PROGRESS,
        scope=ReportScope(municipality=world.borlange),
    )
    done, seen = _wait(report.pk, lambda r: r.state in (ReportState.DONE, ReportState.FAILED))
    seen = [report.state, *seen]

    assert done.state == ReportState.DONE, done.error_message
    assert ReportState.RUNNING in seen
    order = [ReportState.QUEUED, ReportState.RUNNING, ReportState.DONE]
    assert [order.index(s) for s in dict.fromkeys(seen)] == sorted(
        order.index(s) for s in dict.fromkeys(seen)
    )
    assert done.created_at <= done.started_at <= done.finished_at
    assert (done.progress, done.attempts) == (100, 1)

    with done.file.open("rb") as handle:
        pdf = handle.read()
    text = pdf_text(pdf)
    assert pdf_pages(pdf) >= 1
    assert "Ståhl, Märta" in text
    assert "Lindqvist, Gunnar" in text
    assert "Sandberg, Ylva" in text
    row = next(line for line in text.splitlines() if "Ståhl" in line)
    assert " 30 " in f" {row} "
    assert "Falunsson" not in text
    assert "Utflyttad" not in text
    assert done.reference in text

    # The requester downloads it; HR of Falun gets 404 for the same file.
    client = transactional_db_client(personas.hr_borlange)
    url = reverse("reporting:report_download", args=[done.pk])
    assert client.get(url).status_code == 200
    assert transactional_db_client(personas.hr_falun).get(url).status_code == 404


def transactional_db_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _reset_producers():
    # The app keeps its broker connections in pools, one per broker URL in kombu's
    # registry: let go of the app's, so the next publish takes the pool of the broker the
    # test has just set (and afterwards the first one again, still open).
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker_down():
    saved = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    _reset_producers()
    yield
    celery_app.conf.broker_url = saved
    _reset_producers()


def test_with_the_broker_down_the_request_fails_with_words_on_the_reports_page(
    transactional_db, broker_down, world, personas
):
    client = transactional_db_client(personas.hr_borlange)
    response = client.post(
        reverse("reporting:report_order", args=["compliance"]),
        {"municipality": world.borlange.pk},
        follow=True,
    )
    report = ReportRequest.objects.get()
    assert report.state == ReportState.FAILED
    assert report.failure == Failure.BROKER_UNAVAILABLE
    html = response.content.decode()
    with translation.override("sv"):
        message = escape(str(report.error_message))
    assert html.count(message) == 2  # the message at the top, and the row in the list


@pytest.fixture
def lock_participants():
    """Lock the managers' table from another connection: a worker that reaches it waits
    there, in the middle of building, for as long as the test needs.

    Taken only once the test has written what it needs: a new row with a foreign key to
    the table waits for the lock too, on commit.
    """
    s = connection.settings_dict
    lock = psycopg.connect(
        dbname=s["NAME"],
        user=s.get("USER") or "postgres",
        host=s.get("HOST") or "127.0.0.1",
        port=s.get("PORT") or 5432,
    )

    def hold():
        lock.execute("LOCK TABLE enrolment_participant IN ACCESS EXCLUSIVE MODE")
        return lock

    yield hold
    if not lock.closed:
        lock.rollback()
        lock.close()


@pytest.fixture
def own_broker():
    """Transport options for workers and messages of this test alone: a key prefix keeps
    them apart from the session's worker and from other test runs on the same Redis."""
    prefix = f"test-killed-worker-{uuid.uuid4().hex[:8]}:"
    options = {"global_keyprefix": prefix}
    yield options
    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


def _worker(name, options):
    return start_worker(
        name,
        extra_env={
            "DJANGO_SETTINGS_MODULE": "tests.reporting.worker_settings",
            "TEST_BROKER_TRANSPORT_OPTIONS": json.dumps(options),
        },
    )


def test_a_killed_workers_report_is_made_by_the_next_worker(
    transactional_db,
    report_files,
    own_broker,
    world,
    personas,
    completed,
    lock_participants,
    monkeypatch,
):
    # The request writes its row but does not queue it: this test sends the message to
    # workers of its own.
    monkeypatch.setattr(requests_service, "report_enqueue", lambda **kwargs: True)
    report = report_request(
        user=personas.hr_borlange,
        kind=ReportKind.PROGRESS,
        scope=ReportScope(municipality=world.borlange),
    )
    lock = lock_participants()
    with (
        celery_app.connection_for_write(transport_options=own_broker) as conn,
        conn.Producer() as producer,
    ):
        build_report.apply_async(
            args=[report.pk], task_id=report.task_id, producer=producer, queue=queue_name()
        )

    first = _worker("first", own_broker)
    second = None
    try:
        running, _seen = _wait(report.pk, lambda r: r.state == ReportState.RUNNING)
        assert running.attempts == 1
        # An identical request while it runs gets the same report.
        again = report_request(
            user=personas.head_borlange,
            kind=ReportKind.PROGRESS,
            scope=ReportScope(municipality=world.borlange),
        )
        assert again.pk == report.pk

        first.kill()  # SIGKILL: no goodbye, the message stays unacknowledged
        first.wait(timeout=10)
        # The next worker takes back messages unacknowledged for longer than a second.
        second = _worker(
            "second",
            {
                **own_broker,
                "visibility_timeout": 1,
                "unacked_restore_interval": 1,
                "unacked_restore_throttle": 1,
            },
        )
        lock.rollback()
        lock.close()

        done, _seen = _wait(
            report.pk, lambda r: r.state in (ReportState.DONE, ReportState.FAILED), timeout=90
        )
    finally:
        if first.poll() is None:
            first.kill()
        if second is not None:
            stop_worker(second)

    assert done.state == ReportState.DONE, done.error_message
    assert done.attempts == 2
    assert done.task_id == report.task_id
    with done.file.open("rb") as handle:
        assert "Ståhl, Märta" in pdf_text(handle.read())
