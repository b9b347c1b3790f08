"""Celery beat's schedule: the periodic work of the portal, in one place."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "compliance-monthly-snapshot": {
        "task": "enrolment.tasks.compliance_snapshot_monthly",
        # The first of each month, early; the task is idempotent for its month.
        "schedule": crontab(minute=15, hour=2, day_of_month=1),
    },
    "standing-refresh": {
        "task": "enrolment.tasks.standing_refresh_daily",
        # A new day changes where managers stand without any write (deadlines pass,
        # courses begin): every stored standing is recomputed once, before anyone reads.
        "schedule": crontab(minute=5, hour=0),
    },
    "figures-warm-daily": {
        "task": "reporting.tasks.warm_day_figures",
        # After the refresh: the council's figures of the new day, made before anyone
        # reads them (a write during the day has them made again).
        "schedule": crontab(minute=20, hour=0),
    },
    "offerings-close-started": {
        "task": "enrolment.tasks.offerings_close_started_daily",
        # Nightly: an offering that started takes no more nominations or waitlist places.
        "schedule": crontab(minute=30, hour=1),
    },
    "reports-sweep-stuck": {
        "task": "reporting.tasks.sweep_reports",
        # Often: a report whose worker died is handed to another within a minute or so.
        "schedule": 30.0,
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
    "notifications-daily": {
        "task": "notifications.tasks.reminders_daily",
        # Mornings: the day's reminders; on Mondays the HR digest, on the first the
        # heads' summary. Each message goes once, however often this runs.
        "schedule": crontab(minute=0, hour=7),
    },
    "notifications-sweep": {
        "task": "notifications.tasks.sweep_messages",
        "schedule": crontab(minute="*/10"),
    },
}
