"""gunicorn's settings for the portal, read by `gunicorn -c gunicorn.conf.py` (the
Dockerfile and docker-compose.yml use it). Chosen for a machine of two cores by measuring
(`bench/load.sh`, 20 users, 290 municipalities and 20,000 managers); each can be set from
the environment (README, "Web server").

- Workers: three processes per core. A page's time is Python's, not PostgreSQL's (its
  queries take a millisecond or less), so processes, not threads, share the cores; and a
  keep-alive connection stays with the worker that accepted it, so with two per core a
  worker holding several busy users queued them while the cores stood a quarter idle.
- Threads: two per worker (the gthread worker), so that a worker busy with one slow page
  still answers the next. Measured on 2 cores, the same code, runs taken in turn:
  6 workers × 2 threads 49.1, 50.7 and 50.8 requests/s (p95 250–300 ms); 4 × 2 43.0,
  43.1 and 51.9 (p95 240–390 ms, 20–26 s of 80 idle); 8 × 1 46.9. Twelve requests in
  flight, twelve database connections at most.
- Timeout: 60 s for a worker that stops answering, well above the slowest page; reports are
  never made in the web request (Celery workers make them).
- Warm start: a worker imports the URLconf and every view before its first request (half
  a thousand modules, 0.4 s, that the first visitor of each worker waited for).
- Garbage collection: once a worker has loaded the portal, what it loaded is frozen out of
  the cyclic collector's reach (`gc.freeze`), and the collector runs after 10,000 new
  container objects rather than 700. A page makes tens of thousands of short-lived
  objects (querysets, template contexts) that reference counting frees; with the
  default the collector ran some 7 times per page and went through everything Django had
  loaded on each full collection. Measured over the daily mix in one process: 1.1–1.3 s
  of 12–13 s in the collector before, 0.35–0.4 s of 10.5–11 s after.
- Worker recycling: after about 20,000 requests, with jitter so that the workers are not
  recycled at once, to bound any slow growth of memory. A new worker costs about two
  seconds of a core to start and warm; recycling every thousand requests spent a tenth
  of the machine on it under load.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{_int('PORT', 8000)}")
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 3)
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 2)
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5
max_requests = _int("GUNICORN_MAX_REQUESTS", 20000)
max_requests_jitter = max_requests // 10
# The heartbeat files of the workers in memory, not on a container's overlay disk, where a
# slow write can make gunicorn think a worker hangs.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


def post_worker_init(worker):
    """The worker has loaded the portal: import every view, keep what it loaded out of
    every collection, and collect less often (`portal.processes.settle`): after
    GUNICORN_GC_THRESHOLD new container objects, 10,000 unless set (700 is Python's
    default)."""
    from portal.processes import GC_THRESHOLD, settle

    settle(_int("GUNICORN_GC_THRESHOLD", GC_THRESHOLD))
