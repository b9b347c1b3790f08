from datetime import date

from celery import shared_task
from django.utils import timezone

from . import projection, setbased
from .services.compliance import compliance_snapshot_take
from .services.enrolments import offerings_close_started


@shared_task(acks_late=True)
def compliance_snapshot_monthly(month: str | None = None) -> int:
    """Beat runs this on the first of each month; `month` (YYYY-MM-DD) redoes a past one."""
    day = date.fromisoformat(month) if month else timezone.localdate()
    return compliance_snapshot_take(month=day)


@shared_task(acks_late=True)
def offerings_close_started_daily() -> int:
    """Beat runs this every night: offerings that started take no more nominations."""
    return offerings_close_started(on=timezone.localdate())


@shared_task(acks_late=True)
def standing_refresh_daily() -> bool:
    """Beat runs this just after midnight, so that the first reader of the day finds
    every manager's stored standing already computed for it."""
    return setbased.is_supported() and projection.refresh()
