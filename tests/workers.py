"""A real Celery worker on Redis for the tests that need one.

The worker is a separate process started on the test database, with a queue of its own
per pytest-xdist process so that parallel test processes never take each other's tasks.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from portal.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent


def queue_name() -> str:
    return f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"


def database_url() -> str:
    s = connection.settings_dict
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    user = s.get("USER") or "postgres"
    return f"postgres://{user}@{host}:{port}/{s['NAME']}"


def start_worker(
    name: str = "w1", extra_env: dict | None = None, queue: str | None = None
) -> subprocess.Popen:
    queue = queue or queue_name()
    celery_app.conf.task_default_queue = queue
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_QUEUE": queue,
        **(extra_env or {}),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "-Q",
            queue,
            "-n",
            f"{name}-{queue}@%h",
            "--pool=solo",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
    )


def wait_until_ready(process: subprocess.Popen, timeout: float = 60) -> None:
    from portal.tasks import ping

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Celery worker exited with {process.returncode}")
        try:
            ping.apply_async().get(timeout=5)
            return
        except Exception:
            time.sleep(0.5)
    raise RuntimeError("Celery worker did not answer in time")


def stop_worker(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def purge_queue() -> None:
    """Drop tasks left in this process's queue by an earlier, interrupted run."""
    celery_app.conf.task_default_queue = queue_name()
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge(queue_name())
