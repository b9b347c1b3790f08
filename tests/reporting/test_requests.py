"""Report requests without a worker: the row first, reuse, claims, retries and the sweep."""

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.utils import timezone

from reporting.builders import progress as progress_builder
from reporting.models import Failure, ReportKind, ReportRequest, ReportScope, ReportState
from reporting.services import requests as services
from reporting.services.requests import (
    HEARTBEAT_LOST,
    MAX_ATTEMPTS,
    MAX_REQUEUES,
    QUEUED_TOO_LONG,
    REQUEUE_QUEUED_AFTER,
    report_beat,
    report_claim,
    report_request,
    report_run,
    reports_sweep,
)
from reporting.tasks import build_report
from tests import factories as f

pytestmark = pytest.mark.usefixtures("media_root")


@pytest.fixture
def borlange(world):
    return ReportScope(municipality=world.borlange)


def _queued(personas, scope, **fields):
    fields.setdefault("kind", ReportKind.PROGRESS)
    return ReportRequest.objects.create(
        requested_by=personas.hr_borlange,
        data_date=timezone.localdate(),
        language="sv",
        task_id=str(uuid.uuid4()),
        **scope.fields(),
        **fields,
    )


def test_a_request_writes_its_row_queued_before_anything_runs(personas, borlange, today):
    report = report_request(user=personas.hr_borlange, kind=ReportKind.PROGRESS, scope=borlange)
    assert report.state == ReportState.QUEUED
    assert report.requested_by == personas.hr_borlange
    assert report.municipality == borlange.municipality
    assert report.data_date == today
    assert report.language == "sv"
    assert report.task_id


def test_an_identical_request_while_one_is_queued_returns_the_same_row(personas, borlange):
    first = report_request(user=personas.hr_borlange, kind=ReportKind.PROGRESS, scope=borlange)
    again = report_request(user=personas.hr_borlange, kind=ReportKind.PROGRESS, scope=borlange)
    # Someone else in the same scope gets the same report too: it is the same file.
    other = report_request(user=personas.head_borlange, kind=ReportKind.PROGRESS, scope=borlange)
    assert again.pk == first.pk == other.pk
    assert ReportRequest.objects.count() == 1


def test_an_identical_request_while_one_is_running_returns_the_same_row(personas, borlange):
    first = report_request(user=personas.hr_borlange, kind=ReportKind.PROGRESS, scope=borlange)
    assert report_claim(report_id=first.pk, task_id=first.task_id) is not None
    again = report_request(user=personas.hr_borlange, kind=ReportKind.PROGRESS, scope=borlange)
    assert again.pk == first.pk


def test_a_request_after_the_last_is_done_or_failed_makes_a_new_one(personas, borlange):
    first = report_request(user=personas.hr_borlange, kind=ReportKind.PROGRESS, scope=borlange)
    ReportRequest.objects.filter(pk=first.pk).update(state=ReportState.FAILED)
    second = report_request(user=personas.hr_borlange, kind=ReportKind.PROGRESS, scope=borlange)
    assert second.pk != first.pk


def test_another_language_or_scope_is_another_report(world, personas, borlange):
    sv = report_request(user=personas.hr_borlange, kind=ReportKind.PROGRESS, scope=borlange)
    en = report_request(
        user=personas.hr_borlange, kind=ReportKind.PROGRESS, scope=borlange, language="en"
    )
    social = report_request(
        user=personas.hr_borlange,
        kind=ReportKind.PROGRESS,
        scope=ReportScope.of_administration(world.borlange_social),
    )
    assert len({sv.pk, en.pk, social.pk}) == 3


def test_the_database_refuses_a_second_active_identical_row(personas, borlange):
    from django.db import IntegrityError, transaction

    _queued(personas, borlange)
    with pytest.raises(IntegrityError), transaction.atomic():
        _queued(personas, borlange)


@pytest.mark.parametrize(
    ("persona", "kind", "scope_of"),
    [
        ("hr_falun", ReportKind.PROGRESS, "borlange"),
        ("head_borlange_social", ReportKind.COMPLIANCE, "borlange"),
        ("head_borlange_social", ReportKind.PROGRESS, "borlange"),
        ("council", ReportKind.PROGRESS, "borlange"),
        ("hr_borlange", ReportKind.REGIONAL, "region"),
        ("manager", ReportKind.PROGRESS, "borlange"),
        ("no_role", ReportKind.REGIONAL, "region"),
        ("hr_borlange", ReportKind.COMPLIANCE, "borlange_social"),
    ],
)
def test_a_request_outside_the_users_scope_is_refused(world, personas, persona, kind, scope_of):
    scope = {
        "borlange": ReportScope(municipality=world.borlange),
        "region": ReportScope(region=world.region),
        "borlange_social": ReportScope.of_administration(world.borlange_social),
    }[scope_of]
    with pytest.raises(ValidationError) as refused:
        report_request(user=personas.all()[persona], kind=kind, scope=scope)
    assert refused.value.code == "out_of_scope"
    assert not ReportRequest.objects.exists()


def test_a_certificate_for_a_manager_who_has_not_completed_is_refused_in_words(world, personas):
    with pytest.raises(ValidationError) as refused:
        report_request(
            user=personas.programme_admin,
            kind=ReportKind.CERTIFICATE,
            scope=ReportScope(participant=personas.manager_participant),
        )
    assert refused.value.code == "not_complete"
    assert "Märta Ståhl" in refused.value.messages[0]
    assert not ReportRequest.objects.exists()


def test_broker_down_fails_the_row_with_words_for_the_user(
    personas, borlange, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError as BrokerDown

    def down(*args, **kwargs):
        raise BrokerDown("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr(build_report, "apply_async", down)
    with django_capture_on_commit_callbacks(execute=True):
        report = report_request(user=personas.hr_borlange, kind=ReportKind.PROGRESS, scope=borlange)
    report.refresh_from_db()
    assert report.state == ReportState.FAILED
    assert report.failure == Failure.BROKER_UNAVAILABLE
    assert report.error_message == Failure.BROKER_UNAVAILABLE.label
    # The user can order again at once: a failed row is not an active one.
    monkeypatch.undo()
    again = report_request(user=personas.hr_borlange, kind=ReportKind.PROGRESS, scope=borlange)
    assert again.pk != report.pk


def test_the_task_is_queued_with_the_row_id_only_after_commit(
    personas, borlange, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(build_report, "apply_async", lambda **kw: sent.append(kw))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = report_request(user=personas.hr_borlange, kind=ReportKind.PROGRESS, scope=borlange)
    assert sent == []
    for callback in callbacks:
        callback()
    assert sent[0]["args"] == [report.pk]
    assert sent[0]["task_id"] == report.task_id


# --- Claims ----------------------------------------------------------------------------


def test_a_queued_row_is_claimed_once(personas, borlange):
    report = _queued(personas, borlange)
    claimed = report_claim(report_id=report.pk, task_id=report.task_id)
    assert claimed.state == ReportState.RUNNING
    assert claimed.attempts == 1
    assert claimed.started_at is not None
    # A stray second message with another task id does not take a running report.
    assert report_claim(report_id=report.pk, task_id=str(uuid.uuid4())) is None


def test_a_running_row_is_claimed_again_by_a_redelivery_of_its_task(personas, borlange):
    report = _queued(personas, borlange)
    report_claim(report_id=report.pk, task_id=report.task_id)
    again = report_claim(report_id=report.pk, task_id=report.task_id)
    assert again.state == ReportState.RUNNING
    assert again.attempts == 2


def test_a_report_that_keeps_killing_its_worker_is_failed_after_the_last_attempt(
    personas, borlange
):
    report = _queued(personas, borlange)
    for _attempt in range(MAX_ATTEMPTS):
        assert report_claim(report_id=report.pk, task_id=report.task_id) is not None
    assert report_claim(report_id=report.pk, task_id=report.task_id) is None
    report.refresh_from_db()
    assert report.state == ReportState.FAILED
    assert report.failure == Failure.INTERRUPTED


def test_a_done_report_is_not_built_again(world, personas, borlange):
    report = _queued(personas, borlange)
    assert report_run(report_id=report.pk, task_id=report.task_id).state == ReportState.DONE
    name = ReportRequest.objects.get(pk=report.pk).file.name
    assert report_run(report_id=report.pk, task_id=report.task_id) is None
    assert ReportRequest.objects.get(pk=report.pk).file.name == name


def test_a_built_report_is_stored_privately_with_progress_at_100(personas, borlange, media_root):
    report = _queued(personas, borlange)
    done = report_run(report_id=report.pk, task_id=report.task_id)
    assert done.progress == 100
    assert done.finished_at >= done.started_at
    path = media_root / "reports" / done.file.name
    assert path.read_bytes().startswith(b"%PDF")
    with pytest.raises(ValueError):
        done.file.url  # noqa: B018 - no public URL, ever


def test_a_builder_error_fails_the_row_in_words(personas, borlange, monkeypatch):
    def broken(**kwargs):
        raise ZeroDivisionError

    monkeypatch.setattr(progress_builder, "build", broken)
    report = _queued(personas, borlange)
    assert report_run(report_id=report.pk, task_id=report.task_id) is None
    report.refresh_from_db()
    assert report.state == ReportState.FAILED
    assert report.failure == Failure.ERROR
    assert report.error_message == Failure.ERROR.label


def test_a_passing_fault_keeps_the_claim_for_the_retry(personas, borlange, monkeypatch):
    real = progress_builder.build
    calls = []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(progress_builder, "build", flaky)
    report = _queued(personas, borlange)
    # The fault goes up to the task, which retries it: a new message with the same task
    # id, which takes the report again.
    for _retry in range(2):
        with pytest.raises(OperationalError):
            report_run(report_id=report.pk, task_id=report.task_id)
        assert ReportRequest.objects.get(pk=report.pk).state == ReportState.RUNNING
    assert report_run(report_id=report.pk, task_id=report.task_id).state == ReportState.DONE
    report.refresh_from_db()
    assert report.attempts == 3
    assert len(calls) == 3


def test_the_build_task_is_configured_for_workers_that_die(settings):
    from kombu.exceptions import OperationalError as BrokerDown

    assert build_report.acks_late is True
    assert build_report.reject_on_worker_lost is True
    assert build_report.ignore_result is True
    assert set(build_report.autoretry_for) == {OperationalError, BrokerDown}
    assert build_report.retry_backoff is True
    assert build_report.max_retries == 3
    assert build_report.soft_time_limit < build_report.time_limit
    assert services.RUNNING_TOO_LONG.total_seconds() > build_report.time_limit
    # Redis never gives a message of a task still running to a second worker, and gives
    # a dead worker's back soon after the longest a task may run.
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert build_report.time_limit <= settings.CELERY_TASK_TIME_LIMIT < visibility
    assert visibility <= settings.CELERY_TASK_TIME_LIMIT + 5 * 60
    # The sweep runs often enough for a lost worker's report to be done within minutes.
    sweep = settings.CELERY_BEAT_SCHEDULE["reports-sweep-stuck"]
    assert sweep["task"] == "reporting.tasks.sweep_reports"
    assert float(sweep["schedule"]) <= 30
    assert services.HEARTBEAT_EVERY * 3 < HEARTBEAT_LOST.total_seconds() <= 60


# --- Heartbeats: a live report is never taken twice, a dead one never waited on -----------


def _running(personas, scope, *, beat_ago, worker="other-host:1", **fields):
    report = _queued(personas, scope, **fields)
    ReportRequest.objects.filter(pk=report.pk).update(
        state=ReportState.RUNNING,
        attempts=1,
        worker=worker,
        started_at=timezone.now() - beat_ago,
        heartbeat_at=timezone.now() - beat_ago,
    )
    report.refresh_from_db()
    return report


def test_a_redelivery_does_not_take_a_report_another_live_worker_is_building(personas, borlange):
    report = _running(personas, borlange, beat_ago=timedelta(seconds=2))
    assert report_claim(report_id=report.pk, task_id=report.task_id) is None
    report.refresh_from_db()
    assert (report.state, report.attempts, report.worker) == (
        ReportState.RUNNING,
        1,
        "other-host:1",
    )


def test_a_redelivery_takes_a_report_whose_worker_stopped_beating(personas, borlange):
    report = _running(personas, borlange, beat_ago=HEARTBEAT_LOST + timedelta(seconds=1))
    claimed = report_claim(report_id=report.pk, task_id=report.task_id)
    assert claimed is not None
    assert claimed.attempts == 2
    assert claimed.worker == services.worker_identity()
    assert claimed.heartbeat_at > report.heartbeat_at


def test_a_redelivery_takes_at_once_a_report_whose_pool_process_on_this_machine_died(
    personas, borlange
):
    import socket
    import subprocess

    ended = subprocess.Popen(["true"])
    ended.wait()
    report = _running(
        personas,
        borlange,
        beat_ago=timedelta(seconds=1),
        worker=f"{socket.gethostname()}:{ended.pid}",
    )
    claimed = report_claim(report_id=report.pk, task_id=report.task_id)
    assert claimed is not None
    assert claimed.worker == services.worker_identity()


def test_the_heartbeat_and_progress_keep_a_running_report_alive(personas, borlange):
    report = _running(personas, borlange, beat_ago=timedelta(seconds=20))
    assert report_beat(report_id=report.pk, task_id=report.task_id) == 1
    assert report_beat(report_id=report.pk, task_id="another-task") == 0
    beat = ReportRequest.objects.get(pk=report.pk).heartbeat_at
    assert beat > report.heartbeat_at
    services.report_progress(report_id=report.pk, percent=40)
    assert ReportRequest.objects.get(pk=report.pk).heartbeat_at >= beat


def test_the_heartbeat_thread_beats_while_a_report_is_built(transactional_db, personas, borlange):
    report = _running(personas, borlange, beat_ago=timedelta(minutes=5))
    with services.Heartbeat(report_id=report.pk, task_id=report.task_id, every=0.05):
        deadline = timezone.now() + timedelta(seconds=10)
        while timezone.now() < deadline:
            beat = ReportRequest.objects.get(pk=report.pk).heartbeat_at
            if beat > timezone.now() - timedelta(seconds=5):
                break
    assert beat > timezone.now() - timedelta(seconds=5)


@pytest.mark.parametrize(
    ("state", "age", "failure"),
    [
        (ReportState.RUNNING, HEARTBEAT_LOST + timedelta(seconds=1), Failure.INTERRUPTED),
        (ReportState.QUEUED, REQUEUE_QUEUED_AFTER + timedelta(seconds=1), Failure.NOT_STARTED),
    ],
)
def test_a_new_identical_order_never_waits_on_a_dead_row(personas, borlange, state, age, failure):
    if state == ReportState.RUNNING:
        dead = _running(personas, borlange, beat_ago=age)
    else:
        dead = _queued(personas, borlange, queued_at=timezone.now() - age)
    again = report_request(user=personas.hr_borlange, kind=ReportKind.PROGRESS, scope=borlange)
    assert again.pk != dead.pk
    assert again.state == ReportState.QUEUED
    dead.refresh_from_db()
    assert (dead.state, dead.failure) == (ReportState.FAILED, failure)


def test_a_new_identical_order_reuses_a_live_running_row(personas, borlange):
    live = _running(personas, borlange, beat_ago=timedelta(seconds=3))
    again = report_request(user=personas.hr_borlange, kind=ReportKind.PROGRESS, scope=borlange)
    assert again.pk == live.pk


# --- The sweep ---------------------------------------------------------------------------


@pytest.fixture
def sent(monkeypatch):
    """What the sweep hands to the broker (the publishing itself, not the database)."""
    messages = []
    monkeypatch.setattr(build_report, "apply_async", lambda **kw: messages.append(kw))
    return messages


def test_the_sweep_queues_again_a_report_whose_worker_is_gone(
    personas, borlange, sent, django_capture_on_commit_callbacks
):
    report = _running(personas, borlange, beat_ago=HEARTBEAT_LOST + timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert reports_sweep() == 1
    again = ReportRequest.objects.get(pk=report.pk)
    assert (again.state, again.requeues, again.worker) == (ReportState.QUEUED, 1, "")
    assert again.task_id != report.task_id
    assert [(m["args"], m["task_id"]) for m in sent] == [([report.pk], again.task_id)]


def test_the_old_message_of_a_requeued_report_never_builds_it_twice(
    personas, borlange, sent, django_capture_on_commit_callbacks
):
    report = _running(personas, borlange, beat_ago=HEARTBEAT_LOST + timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        reports_sweep()
    new_task_id = sent[0]["task_id"]
    assert report_run(report_id=report.pk, task_id=new_task_id).state == ReportState.DONE
    assert report_claim(report_id=report.pk, task_id=report.task_id) is None
    assert ReportRequest.objects.get(pk=report.pk).attempts == 2


def test_the_sweep_queues_again_a_queued_report_whose_message_was_lost(
    personas, borlange, sent, django_capture_on_commit_callbacks
):
    lost = _queued(personas, borlange, queued_at=timezone.now() - REQUEUE_QUEUED_AFTER * 2)
    fresh = _queued(
        personas, ReportScope(municipality=borlange.municipality), kind=ReportKind.COMPLIANCE
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert reports_sweep() == 1
    lost.refresh_from_db()
    assert (lost.state, lost.requeues) == (ReportState.QUEUED, 1)
    assert lost.queued_at > timezone.now() - timedelta(minutes=1)
    assert [m["task_id"] for m in sent] == [lost.task_id]
    assert ReportRequest.objects.get(pk=fresh.pk).requeues == 0


def test_the_sweep_fails_what_it_has_already_queued_again_and_leaves_live_reports(
    personas, borlange, world, sent, django_capture_on_commit_callbacks
):
    now = timezone.now()
    lost_twice = _running(
        personas,
        borlange,
        beat_ago=HEARTBEAT_LOST + timedelta(seconds=1),
        requeues=MAX_REQUEUES,
    )
    never_taken = _queued(
        personas,
        ReportScope(municipality=world.falun),
        requeues=MAX_REQUEUES,
        queued_at=now - QUEUED_TOO_LONG - timedelta(seconds=1),
    )
    live = _running(
        personas,
        ReportScope.of_administration(world.borlange_social),
        beat_ago=timedelta(seconds=2),
    )
    waiting = _queued(personas, ReportScope.of_administration(world.borlange_care))

    with django_capture_on_commit_callbacks(execute=True):
        assert reports_sweep(now=now) == 2
    assert sent == []
    failures = dict(ReportRequest.objects.values_list("pk", "failure"))
    assert failures[lost_twice.pk] == Failure.INTERRUPTED
    assert failures[never_taken.pk] == Failure.NOT_STARTED
    assert ReportRequest.objects.get(pk=live.pk).state == ReportState.RUNNING
    assert ReportRequest.objects.get(pk=waiting.pk).state == ReportState.QUEUED


def test_a_swept_report_finished_late_keeps_its_failure_and_leaves_no_file(
    personas, borlange, monkeypatch, media_root
):
    report = _queued(personas, borlange, requeues=MAX_REQUEUES)
    real = progress_builder.build

    def slow(**kwargs):
        pdf = real(**kwargs)
        reports_sweep(now=timezone.now() + timedelta(hours=2))
        return pdf

    monkeypatch.setattr(progress_builder, "build", slow)
    assert report_run(report_id=report.pk, task_id=report.task_id) is None
    report.refresh_from_db()
    assert report.state == ReportState.FAILED
    assert not list((media_root / "reports").rglob("*.pdf"))


def test_a_certificate_request_issues_the_certificate_and_reuses_its_code(
    world, personas, completed
):
    from reporting.models import Certificate

    scope = ReportScope(participant=completed)
    first = report_request(user=personas.programme_admin, kind=ReportKind.CERTIFICATE, scope=scope)
    code = Certificate.objects.get(participant=completed).code
    report_run(report_id=first.pk, task_id=first.task_id)
    second = report_request(user=personas.manager, kind=ReportKind.CERTIFICATE, scope=scope)
    assert second.pk != first.pk
    assert Certificate.objects.get(participant=completed).code == code
    assert len(code) == 16


def test_a_future_data_date_is_refused(personas, borlange, today):
    with pytest.raises(ValidationError):
        report_request(
            user=personas.hr_borlange,
            kind=ReportKind.PROGRESS,
            scope=borlange,
            data_date=today + timedelta(days=1),
        )


def test_regional_request_by_council(world, personas):
    f.MandateFactory(municipality=world.borlange)
    report = report_request(
        user=personas.council, kind=ReportKind.REGIONAL, scope=ReportScope(region=world.region)
    )
    assert report_run(report_id=report.pk, task_id=report.task_id).state == ReportState.DONE
