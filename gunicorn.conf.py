"""gunicorn's settings for the portal, read by `gunicorn -c gunicorn.conf.py` (the
Dockerfile and docker-compose.yml use it). Chosen for a machine of two cores; each can be
set from the environment (README, "Web server").

- Workers: one process per core plus one, so that a core never idles while a worker waits
  on a slow page; more processes than that only share the same two cores and memory.
- Threads: four per worker (the gthread worker). Most of a request's time is spent waiting
  for PostgreSQL, during which a thread gives up Python's lock: twelve requests in flight
  on two cores, with twelve database connections at most.
- Timeout: 60 s for a worker that stops answering, well above the slowest page; reports are
  never made in the web request (Celery workers make them).
- Worker recycling: after about a thousand requests, with jitter so that the workers are
  not recycled at once, to bound any slow growth of memory.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{_int('PORT', 8000)}")
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1)
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 4)
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = max_requests // 10
# The heartbeat files of the workers in memory, not on a container's overlay disk, where a
# slow write can make gunicorn think a worker hangs.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
