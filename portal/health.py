"""GET /healthz: whether the database, the broker and the workers answer."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from .celery import app as celery_app


def _database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # any failure to answer is "down", with its words
        return {"ok": False, "error": str(exc).strip().splitlines()[0][:200]}


def _broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "mode": "eager"}
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return {"ok": True, "mode": "redis"}
    except Exception as exc:
        return {"ok": False, "error": str(exc)[:200]}


def _workers(broker_ok):
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"count": 0, "mode": "eager"}
    if not broker_ok:
        return {"count": 0}
    try:
        replies = celery_app.control.ping(timeout=0.5) or []
    except Exception as exc:
        return {"count": 0, "error": str(exc)[:200]}
    return {"count": len(replies)}


@never_cache
def healthz(request):
    database = _database()
    broker = _broker()
    body = {
        "database": database,
        "broker": broker,
        # Workers are reported, not required: a request can be queued while they restart.
        "workers": _workers(broker["ok"]),
    }
    failed = [name for name in ("database", "broker") if not body[name]["ok"]]
    body["status"] = "ok" if not failed else "error"
    body["failed"] = failed
    return JsonResponse(body, status=200 if not failed else 503)
