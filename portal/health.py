"""Health checks.

- `GET /healthz`: liveness, for the load balancer. Answers as soon as the process can run
  a view: no database, broker or worker is asked, so a hundred calls a second cost
  nothing, and nothing internal is named.
- `GET /healthz/ready`: readiness, for the operator: whether the database, the broker and
  the workers answer. Only with the token (`Authorization: Bearer HEALTH_TOKEN`) or from
  the host or private network directly (not through a proxy); to anyone else it does not
  exist (404). Errors are named by their kind, never by host or port.
"""

import ipaddress
import secrets

from django.conf import settings
from django.db import connection
from django.http import Http404, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app

# The host's and the containers' own networks (RFC 1918 and unique local IPv6).
INTERNAL_NETWORKS = [
    ipaddress.ip_network(network)
    for network in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
]


def _failure(exc) -> dict:
    return {"ok": False, "error": type(exc).__name__}


def _database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # any failure to answer is "down"
        return _failure(exc)


def _broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "mode": "eager"}
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return {"ok": True, "mode": "redis"}
    except Exception as exc:
        return _failure(exc)


def _workers(broker_ok):
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"count": 0, "mode": "eager"}
    if not broker_ok:
        return {"count": 0}
    try:
        replies = celery_app.control.ping(timeout=0.5) or []
    except Exception as exc:
        return {"count": 0, "error": type(exc).__name__}
    return {"count": len(replies)}


def _is_operator(request) -> bool:
    token = settings.HEALTH_TOKEN
    sent = request.headers.get("Authorization", "")
    if token and secrets.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        return True
    if "X-Forwarded-For" in request.headers:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return address.is_loopback or any(address in network for network in INTERNAL_NETWORKS)


@require_GET
@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readiness(request):
    if not _is_operator(request):
        raise Http404
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
