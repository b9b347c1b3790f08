"""Thin Celery tasks: each takes ids or a date, and calls a service; and `warm_later`, the
receiver that queues the making of the council's figures after a committed write."""

import contextlib
import logging
from datetime import date

from celery import Task, shared_task
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from enrolment import setbased

from .followup.warming import make_day_figures, pending_key
from .models import Failure
from .services.requests import (
    PASSING_FAULTS,
    SOFT_TIME_LIMIT,
    TIME_LIMIT,
    report_fail,
    report_run,
    reports_sweep,
)
from .services.subscriptions import subscriptions_deliver

logger = logging.getLogger(__name__)


class ReportTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # The last retry failed too (or the task broke outside the builder): say so on the
        # row. If the database is what is down, the sweep says it later.
        if args:
            with contextlib.suppress(Exception):
                report_fail(report_id=args[0], failure=Failure.ERROR, task_id=task_id)


@shared_task(
    bind=True,
    base=ReportTask,
    # The row is the result: nothing waits on the result backend, so ordering never
    # touches it (and never waits for it when Redis is down).
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=PASSING_FAULTS,
    retry_backoff=True,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=3,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
)
def build_report(self, report_id: int) -> str | None:
    report = report_run(report_id=report_id, task_id=self.request.id)
    return report.state if report else None


@shared_task(acks_late=True)
def sweep_reports() -> int:
    """Beat runs this every 30 seconds: reports whose worker or message was lost are
    queued again, once; stuck reports are failed, in words."""
    return reports_sweep()


@shared_task(acks_late=True)
def deliver_monthly_reports(month: str | None = None) -> int:
    """Beat runs this on the first of each month; `month` (YYYY-MM-DD) redoes a past one."""
    day = date.fromisoformat(month) if month else timezone.localdate()
    return subscriptions_deliver(month=day)


@shared_task(ignore_result=True)
def warm_day_figures() -> int:
    """A committed write asked for it, or beat after the night's refresh: the council's
    figures of the day made before anyone reads them."""
    return make_day_figures()


def warm_later(**kwargs) -> bool:
    """Asks a worker to make the figures again soon, unless that is asked already.
    Returns whether it asked. Connected to `portal.daycache.figures_committed`."""
    delay = settings.FIGURES_WARM_SECONDS
    if delay is None or not setbased.is_supported():
        return False
    # With the cache unreachable `add` answers nothing: the pages count for themselves.
    if not cache.add(pending_key(), 1, timeout=int(delay) + 120):
        return False
    try:
        warm_day_figures.apply_async(countdown=delay)
    except Exception:
        # The broker down: the write stands and the first reader counts. The pending mark
        # stays until it expires, so that writes meanwhile do not wait on the broker too.
        logger.warning("The council's figures could not be queued for making", exc_info=True)
        return False
    return True
