"""Report requests, from the order to the file.

The request writes its row first (queued) and enqueues the task with only the row's id
once the transaction commits. The worker claims the row, builds the PDF and stores it;
whatever goes wrong ends as a failed row with words the person who asked can act on.

Delivery is at least once: the task acknowledges its message only when it has finished
(acks_late), and a worker that dies mid-report has its message delivered again
(reject_on_worker_lost on a pool process; Redis's visibility timeout when the whole
worker is gone). So a delivery may find its row already running. See `report_claim`.
"""

import logging
import uuid
from datetime import date, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db import OperationalError as DatabaseOperationalError
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerOperationalError

from ..builders import ReportRefused, build_pdf
from ..models import (
    ACTIVE_STATES,
    Failure,
    ReportKind,
    ReportRequest,
    ReportScope,
    ReportState,
)
from ..selectors import may_order
from .certificates import certificate_issue

logger = logging.getLogger(__name__)

# Time limits of the build task. The hard limit kills the pool process; the sweep below
# must wait longer than that before it calls a running report interrupted.
SOFT_TIME_LIMIT = 9 * 60
TIME_LIMIT = 10 * 60
RUNNING_TOO_LONG = timedelta(seconds=TIME_LIMIT) + timedelta(minutes=5)
QUEUED_TOO_LONG = timedelta(minutes=60)
# One first run, three retries of passing faults and one delivery again after a worker
# died. A report that keeps killing its worker (out of memory, say) stops there.
MAX_ATTEMPTS = 5
# Faults that pass: the task retries them with back-off instead of failing the report.
PASSING_FAULTS = (DatabaseOperationalError, BrokerOperationalError)


def _language(language: str | None) -> str:
    supported = {code for code, _name in settings.LANGUAGES}
    language = (language or translation.get_language() or "").split("-")[0]
    return language if language in supported else settings.LANGUAGE_CODE


def report_request(
    *,
    user,
    kind: str,
    scope: ReportScope,
    data_date: date | None = None,
    language: str | None = None,
) -> ReportRequest:
    """Order a report; an identical one already queued or running is returned instead.

    Identical means the same report, scope, data date and language, whoever asked: the
    file is the same, and everyone who may order it may download it. If the task cannot
    be queued (the broker is down), the row is failed with words for the user, who can
    order again.
    """
    today = timezone.localdate()
    data_date = data_date or today
    if data_date > today:
        raise ValidationError(_("The data date cannot be in the future."), code="future")
    if kind not in ReportKind.values or not may_order(user, kind, scope):
        raise ValidationError(_("You cannot order this report."), code="out_of_scope")
    if kind == ReportKind.CERTIFICATE:
        certificate_issue(participant=scope.participant, on=today)
    identity = {"kind": kind, **scope.fields(), "data_date": data_date}
    identity["language"] = _language(language)

    with transaction.atomic():
        existing = ReportRequest.objects.filter(state__in=ACTIVE_STATES, **identity).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                report = ReportRequest.objects.create(
                    requested_by=user, task_id=str(uuid.uuid4()), **identity
                )
        except IntegrityError:
            # Ordered at the same moment by someone else: theirs is the one.
            return ReportRequest.objects.get(state__in=ACTIVE_STATES, **identity)
        transaction.on_commit(lambda: report_enqueue(report_id=report.pk, task_id=report.task_id))
    report.refresh_from_db()
    return report


def report_enqueue(*, report_id: int, task_id: str) -> bool:
    """Queue the build; on any failure to do so, fail the row in words."""
    from ..tasks import build_report

    try:
        build_report.apply_async(
            args=[report_id],
            task_id=task_id,
            # A broker that is down should be told quickly, not after the default retries.
            retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5},
        )
    except Exception:
        logger.exception("Report %s could not be queued", report_id)
        ReportRequest.objects.filter(pk=report_id, state=ReportState.QUEUED).update(
            state=ReportState.FAILED,
            failure=Failure.BROKER_UNAVAILABLE,
            finished_at=timezone.now(),
        )
        return False
    return True


def report_claim(*, report_id: int, task_id: str) -> ReportRequest | None:
    """Take the report for this delivery of the task, or None if it is not to be built.

    A queued row is taken by whichever delivery comes first. A running row is taken
    again only by a delivery of the same task (same task id), which happens when the
    earlier delivery's worker died, or when the task retries after a passing fault: a
    live run never gets a second delivery, since the hard time limit (10 min) is well
    inside Redis's visibility timeout (1 h). Every take counts an attempt, and after
    MAX_ATTEMPTS the report is failed instead. Done and failed rows are never rebuilt.
    """
    now = timezone.now()
    taken = (
        ReportRequest.objects.filter(pk=report_id)
        .filter(
            Q(state=ReportState.QUEUED)
            | Q(state=ReportState.RUNNING, task_id=task_id, attempts__lt=MAX_ATTEMPTS)
        )
        .update(
            state=ReportState.RUNNING,
            task_id=task_id,
            started_at=now,
            progress=0,
            attempts=F("attempts") + 1,
        )
    )
    if not taken:
        ReportRequest.objects.filter(
            pk=report_id,
            state=ReportState.RUNNING,
            task_id=task_id,
            attempts__gte=MAX_ATTEMPTS,
        ).update(state=ReportState.FAILED, failure=Failure.INTERRUPTED, finished_at=now)
        return None
    return ReportRequest.objects.select_related(
        "region", "municipality", "administration__municipality", "participant__municipality"
    ).get(pk=report_id)


def report_progress(*, report_id: int, percent: int) -> None:
    ReportRequest.objects.filter(pk=report_id, state=ReportState.RUNNING).update(
        progress=max(0, min(99, int(percent)))
    )


def report_fail(*, report_id: int, failure: str, error: str = "", task_id: str | None = None):
    rows = ReportRequest.objects.filter(pk=report_id, state__in=ACTIVE_STATES)
    if task_id is not None:
        rows = rows.filter(task_id=task_id)
    return rows.update(
        state=ReportState.FAILED, failure=failure, error=error, finished_at=timezone.now()
    )


def _file_name(report: ReportRequest) -> str:
    # Unguessable as well as private: the name never leaves the server, but costs nothing.
    return f"{report.created_at:%Y/%m}/{report.pk}-{uuid.uuid4().hex}.pdf"


def report_run(*, report_id: int, task_id: str) -> ReportRequest | None:
    """Claim and build a report. Passing faults (database or broker connections) are
    raised for the task to retry, keeping the claim; anything else fails the row."""
    report = report_claim(report_id=report_id, task_id=task_id)
    if report is None:
        return None
    try:
        pdf = build_pdf(
            kind=report.kind,
            scope=report.scope,
            data_date=report.data_date,
            language=report.language,
            reference=report.reference,
            on_progress=lambda percent: report_progress(report_id=report.pk, percent=percent),
        )
    except ReportRefused as refusal:
        report_fail(report_id=report.pk, failure=Failure.REFUSED, error=str(refusal))
        return None
    except SoftTimeLimitExceeded:
        report_fail(report_id=report.pk, failure=Failure.TIMEOUT)
        return None
    except PASSING_FAULTS:
        raise
    except Exception:
        logger.exception("Report %s could not be built", report.pk)
        report_fail(report_id=report.pk, failure=Failure.ERROR)
        return None

    storage = report.file.storage
    name = storage.save(_file_name(report), ContentFile(pdf))
    finished = ReportRequest.objects.filter(
        pk=report.pk, state=ReportState.RUNNING, task_id=task_id
    ).update(state=ReportState.DONE, file=name, progress=100, finished_at=timezone.now())
    if not finished:
        # Swept as stuck while it was being made: the row says failed, so drop the file.
        storage.delete(name)
        return None
    report.refresh_from_db()
    return report


def reports_sweep(*, now=None) -> int:
    """Fail reports stuck in the queue or in a worker for longer than they can take."""
    now = now or timezone.now()
    queued = ReportRequest.objects.filter(
        state=ReportState.QUEUED, created_at__lt=now - QUEUED_TOO_LONG
    ).update(state=ReportState.FAILED, failure=Failure.NOT_STARTED, finished_at=now)
    running = ReportRequest.objects.filter(
        state=ReportState.RUNNING, started_at__lt=now - RUNNING_TOO_LONG
    ).update(state=ReportState.FAILED, failure=Failure.INTERRUPTED, finished_at=now)
    return queued + running
