"""Celery beat's schedule: the periodic work of the portal, in one place."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "compliance-monthly-snapshot": {
        "task": "enrolment.tasks.compliance_snapshot_monthly",
        # The first of each month, early; the task is idempotent for its month.
        "schedule": crontab(minute=15, hour=2, day_of_month=1),
    },
    "reports-sweep-stuck": {
        "task": "reporting.tasks.sweep_reports",
        "schedule": crontab(minute="*/5"),
    },
    "reports-monthly-subscriptions": {
        "task": "reporting.tasks.deliver_monthly_reports",
        # After the compliance snapshot, so that the month's trend includes it.
        "schedule": crontab(minute=0, hour=6, day_of_month=1),
    },
    "privacy-thinning": {
        "task": "privacy.tasks.thin_all_regions",
        "schedule": crontab(minute=45, hour=1),
    },
    "evaluations-release-closed": {
        "task": "reporting.evaluations.tasks.release_closed_rounds",
        "schedule": crontab(minute=30, hour=1),
    },
}
