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
    MAX_ATTEMPTS,
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
    return ReportRequest.objects.create(
        kind=ReportKind.PROGRESS,
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
    assert set(build_report.autoretry_for) == {OperationalError, BrokerDown}
    assert build_report.retry_backoff is True
    assert build_report.max_retries == 3
    assert build_report.soft_time_limit < build_report.time_limit
    assert services.RUNNING_TOO_LONG.total_seconds() > build_report.time_limit


# --- The sweep ---------------------------------------------------------------------------


def test_the_sweep_fails_rows_stuck_queued_or_running_and_leaves_the_others(
    personas, borlange, world
):
    now = timezone.now()
    stuck_queued = _queued(personas, borlange)
    ReportRequest.objects.filter(pk=stuck_queued.pk).update(created_at=now - timedelta(hours=2))
    stuck_running = _queued(personas, ReportScope(municipality=world.falun))
    ReportRequest.objects.filter(pk=stuck_running.pk).update(
        state=ReportState.RUNNING, started_at=now - timedelta(hours=1)
    )
    fresh = _queued(personas, ReportScope.of_administration(world.borlange_social))

    assert reports_sweep(now=now) == 2
    states = dict(ReportRequest.objects.values_list("pk", "failure"))
    assert states[stuck_queued.pk] == Failure.NOT_STARTED
    assert states[stuck_running.pk] == Failure.INTERRUPTED
    assert ReportRequest.objects.get(pk=fresh.pk).state == ReportState.QUEUED


def test_a_swept_report_finished_late_keeps_its_failure_and_leaves_no_file(
    personas, borlange, monkeypatch, media_root
):
    report = _queued(personas, borlange)
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
