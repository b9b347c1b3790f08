"""Report requests, from the order to the file.

The request writes its row first (queued) and enqueues the task with only the row's id
once the transaction commits. The worker claims the row, builds the PDF and stores it;
whatever goes wrong ends as a failed row with words the person who asked can act on.

Delivery is at least once: the task acknowledges its message only when it has finished
(acks_late), and a worker that dies mid-report has its message delivered again
(reject_on_worker_lost on a pool process; Redis's visibility timeout when the whole
worker is gone). So a delivery may find its row already running. See `report_claim`.

Redis gives an unacknowledged message back only after its visibility timeout, which must
outlast the longest run (or a live report would be built twice): too late for someone
waiting. So the worker building a report beats on its row (`heartbeat_at`), and the sweep
(every 30 seconds) hands a running report whose heartbeat stopped to the queue again, with
a new task id, and a queued one whose message seems lost likewise: once each, then it
fails the report in words. Duplicate messages are harmless: only one delivery can claim
the row.
"""

import contextlib
import logging
import os
import socket
import threading
import uuid
from datetime import date, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, connections, transaction
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
# must wait longer than that before it calls a running report interrupted, and Redis's
# visibility timeout (settings.CELERY_BROKER_TRANSPORT_OPTIONS) is longer still.
SOFT_TIME_LIMIT = 9 * 60
TIME_LIMIT = 10 * 60
RUNNING_TOO_LONG = timedelta(seconds=TIME_LIMIT) + timedelta(minutes=5)
# A worker building a report writes its heartbeat this often (seconds); one that has
# not for HEARTBEAT_LOST is gone, with the whole machine or process group.
HEARTBEAT_EVERY = 5
HEARTBEAT_LOST = timedelta(seconds=30)
# A queued report that no worker has taken for this long has probably lost its message
# (a broker restarted without its data, say): the sweep queues it again.
REQUEUE_QUEUED_AFTER = timedelta(minutes=3)
# How often the sweep hands a report to the queue again before it fails it.
MAX_REQUEUES = 1
QUEUED_TOO_LONG = timedelta(minutes=30)
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
    period: tuple[str, str] | None = None,
    language: str | None = None,
) -> ReportRequest:
    """Order a report; an identical one already queued or running is returned instead.

    Identical means the same report, scope, data date, period and language, whoever
    asked: the file is the same, and everyone who may order it may download it. Only a
    live one is reused: one whose worker has gone quiet, or whose message seems lost, is
    failed in words and a new one is ordered. If the task cannot be queued (the broker is
    down), the row is failed with words for the user, who can order again.

    `period` is (first term, last term), such as ("HT2022", "HT2025"), both included.
    """
    today = timezone.localdate()
    data_date = data_date or today
    if data_date > today:
        raise ValidationError(_("The data date cannot be in the future."), code="future")
    if kind not in ReportKind.values or not may_order(user, kind, scope):
        raise ValidationError(_("You cannot order this report."), code="out_of_scope")
    if kind == ReportKind.CERTIFICATE:
        certificate_issue(participant=scope.participant, on=today)
    first, last = period or ("", "")
    identity = {"kind": kind, **scope.fields(), "data_date": data_date}
    identity.update(period_first=first, period_last=last, language=_language(language))

    with transaction.atomic():
        existing = ReportRequest.objects.filter(state__in=ACTIVE_STATES, **identity).first()
        if existing is not None:
            if _is_live(existing, now=timezone.now()):
                return existing
            _fail_dead(existing)
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


def _is_live(report: ReportRequest, *, now) -> bool:
    """Whether an active report is still on its way: taken by a worker that beats, or
    queued recently enough that its message is still to be expected."""
    if report.state == ReportState.RUNNING:
        return report.heartbeat_at is not None and report.heartbeat_at >= now - HEARTBEAT_LOST
    return report.queued_at >= now - REQUEUE_QUEUED_AFTER


def _fail_dead(report: ReportRequest) -> None:
    """Fail an active report that is no longer on its way, so that a new one may start."""
    failure = Failure.INTERRUPTED if report.state == ReportState.RUNNING else Failure.NOT_STARTED
    ReportRequest.objects.filter(pk=report.pk, state=report.state, task_id=report.task_id).update(
        state=ReportState.FAILED, failure=failure, finished_at=timezone.now()
    )


def _in_process() -> bool:
    """Whether tasks run in the web process (no broker: Redis unset)."""
    from portal.celery import app

    return bool(app.conf.task_always_eager)


def _build_in_background(*, report_id: int, task_id: str) -> None:
    """Without a broker, build in a thread of this process once the order is answered, so
    that the page shows the report queued and its progress, as with a worker."""
    from ..tasks import build_report

    def run():
        try:
            build_report.apply(args=[report_id], task_id=task_id)
        except Exception:
            logger.exception("Report %s could not be built", report_id)
        finally:
            connections.close_all()

    threading.Thread(target=run, name=f"report-{report_id}", daemon=True).start()


# A broker that is down is told in well under two seconds: one quick retry, then give up.
PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}


def report_enqueue(*, report_id: int, task_id: str) -> bool:
    """Queue the build; on any failure to do so, fail the row in words."""
    from ..tasks import build_report

    if _in_process():
        _build_in_background(report_id=report_id, task_id=task_id)
        return True
    try:
        build_report.apply_async(
            args=[report_id], task_id=task_id, retry_policy=PUBLISH_RETRY_POLICY
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


def worker_identity() -> str:
    """This process, as the row names the worker building it: "host:pid"."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _take(*, report_id: int, task_id: str) -> bool:
    """Take the report for this delivery of the task; False if it is not to be built.

    A queued row is taken by whichever delivery comes first. A running row is taken
    again only by a delivery of the same task (same task id) when the worker that holds
    it is gone (its heartbeat stopped, or it was a process of this machine that has ended)
    or is this one: that is a worker that died, or the task retrying after a passing
    fault. A live run on another worker never gets a second delivery. Every take counts an
    attempt, and after MAX_ATTEMPTS the report is failed instead. Done and failed rows are
    never rebuilt.
    """
    now = timezone.now()
    me = worker_identity()
    holder_gone = (
        Q(worker=me) | Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - HEARTBEAT_LOST)
    )
    dead = _dead_neighbour(report_id=report_id, task_id=task_id)
    if dead:
        # A process of this machine that no longer exists (a pool child killed, its
        # message given again at once): no need to wait for its heartbeat to go stale.
        holder_gone |= Q(worker=dead)
    taken = (
        ReportRequest.objects.filter(pk=report_id)
        .filter(
            Q(state=ReportState.QUEUED)
            | (
                Q(state=ReportState.RUNNING, task_id=task_id, attempts__lt=MAX_ATTEMPTS)
                & holder_gone
            )
        )
        .update(
            state=ReportState.RUNNING,
            task_id=task_id,
            started_at=now,
            heartbeat_at=now,
            worker=me,
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
        ).filter(holder_gone).update(
            state=ReportState.FAILED, failure=Failure.INTERRUPTED, finished_at=now
        )
        return False
    return True


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _dead_neighbour(*, report_id: int, task_id: str) -> str:
    """The worker holding the report under this task id, if it was a process of this
    machine that has ended; else ""."""
    holder = (
        ReportRequest.objects.filter(pk=report_id, state=ReportState.RUNNING, task_id=task_id)
        .values_list("worker", flat=True)
        .first()
    )
    host, _sep, pid = (holder or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return ""
    return "" if _process_exists(int(pid)) else holder


def _load(report_id: int) -> ReportRequest:
    return ReportRequest.objects.select_related(
        "region", "municipality", "administration__municipality", "participant__municipality"
    ).get(pk=report_id)


def report_claim(*, report_id: int, task_id: str) -> ReportRequest | None:
    """The report taken for this delivery (see `_take`), or None if it is not to be built."""
    return _load(report_id) if _take(report_id=report_id, task_id=task_id) else None


def report_progress(*, report_id: int, percent: int) -> None:
    ReportRequest.objects.filter(pk=report_id, state=ReportState.RUNNING).update(
        progress=max(0, min(99, int(percent))), heartbeat_at=timezone.now()
    )


def report_beat(*, report_id: int, task_id: str) -> int:
    """The building worker's sign of life. It never waits for a lock on the row: a beat
    missed is made up five seconds later."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '1s'")
        return ReportRequest.objects.filter(
            pk=report_id, state=ReportState.RUNNING, task_id=task_id
        ).update(heartbeat_at=timezone.now())


class Heartbeat:
    """Beats for a report in a thread of its own while the report is built, so that the
    long steps (WeasyPrint lays out a PDF for seconds without a word) keep it alive. The
    thread dies with its process: a worker killed stops beating."""

    def __init__(self, *, report_id: int, task_id: str, every: float = HEARTBEAT_EVERY):
        self.report_id, self.task_id, self.every = report_id, task_id, every
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"report-heartbeat-{report_id}", daemon=True
        )

    def _run(self):
        try:
            while not self._stop.wait(self.every):
                try:
                    report_beat(report_id=self.report_id, task_id=self.task_id)
                except Exception:
                    logger.warning("No heartbeat for report %s", self.report_id, exc_info=True)
        finally:
            connections.close_all()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=self.every)
        return False


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
    if not _take(report_id=report_id, task_id=task_id):
        return None
    # The heartbeat starts with the claim: from here on, any step may wait (for a lock, for
    # WeasyPrint) without the report looking abandoned.
    report = ReportRequest(pk=report_id)
    try:
        with Heartbeat(report_id=report_id, task_id=task_id):
            report = _load(report_id)
            pdf = build_pdf(
                kind=report.kind,
                scope=report.scope,
                data_date=report.data_date,
                period=report.period,
                language=report.language,
                reference=report.reference,
                on_progress=lambda percent: report_progress(report_id=report.pk, percent=percent),
            )
    except ReportRefused as refusal:
        report_fail(
            report_id=report_id, failure=Failure.REFUSED, error=str(refusal), task_id=task_id
        )
        return None
    except SoftTimeLimitExceeded:
        report_fail(report_id=report_id, failure=Failure.TIMEOUT, task_id=task_id)
        return None
    except PASSING_FAULTS:
        # The retry may come to another worker: let it take the report at once.
        with contextlib.suppress(Exception):
            ReportRequest.objects.filter(pk=report_id, task_id=task_id).update(heartbeat_at=None)
        raise
    except Exception:
        logger.exception("Report %s could not be built", report_id)
        report_fail(report_id=report_id, failure=Failure.ERROR, task_id=task_id)
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


def _requeue(report: ReportRequest, *, now) -> bool:
    """Hand an active report to the queue again under a new task id; the old message, if
    it ever comes back, finds the row claimed or finished and leaves it."""
    new_task_id = str(uuid.uuid4())
    with transaction.atomic():
        moved = ReportRequest.objects.filter(
            pk=report.pk, state=report.state, task_id=report.task_id, requeues=report.requeues
        ).update(
            state=ReportState.QUEUED,
            task_id=new_task_id,
            queued_at=now,
            requeues=F("requeues") + 1,
            progress=0,
            worker="",
            heartbeat_at=None,
        )
        if moved:
            transaction.on_commit(lambda: report_enqueue(report_id=report.pk, task_id=new_task_id))
    return bool(moved)


def reports_sweep(*, now=None) -> int:
    """Queue again, once, reports whose worker is gone or whose message seems lost; fail
    those already queued again, and any stuck for longer than a report can take."""
    now = now or timezone.now()
    changed = 0
    worker_gone = ReportRequest.objects.filter(
        Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - HEARTBEAT_LOST),
        state=ReportState.RUNNING,
    )
    message_lost = ReportRequest.objects.filter(
        state=ReportState.QUEUED, queued_at__lt=now - REQUEUE_QUEUED_AFTER
    )
    for report in worker_gone.filter(requeues__lt=MAX_REQUEUES):
        changed += _requeue(report, now=now)
    for report in message_lost.filter(requeues__lt=MAX_REQUEUES):
        changed += _requeue(report, now=now)
    changed += worker_gone.filter(requeues__gte=MAX_REQUEUES).update(
        state=ReportState.FAILED, failure=Failure.INTERRUPTED, finished_at=now
    )
    # Queued again and still not taken: a backlog gets its time, a lost cause fails.
    changed += ReportRequest.objects.filter(
        state=ReportState.QUEUED, queued_at__lt=now - QUEUED_TOO_LONG
    ).update(state=ReportState.FAILED, failure=Failure.NOT_STARTED, finished_at=now)
    changed += ReportRequest.objects.filter(
        state=ReportState.RUNNING, started_at__lt=now - RUNNING_TOO_LONG
    ).update(state=ReportState.FAILED, failure=Failure.INTERRUPTED, finished_at=now)
    return changed
