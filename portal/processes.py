"""What a long-running process of the portal does once it has loaded it: the web server's
workers (`gunicorn.conf.py`) and Celery's worker processes (`portal.celery`).

A page, a report or the council's figures make tens of thousands of short-lived objects
(querysets, template contexts, rows) that reference counting frees. With Python's default
threshold the cyclic collector ran some 7 times a page, and on each full collection went
through everything Django had loaded. Frozen out of its reach (`gc.freeze`), and
collecting after 10,000 new container objects rather than 700, a key-figures page made
afresh takes about 50 ms less, and the worker's run of every region's figures 15 % less.
"""

import gc

# Collect after this many new container objects (Python's default is 700), the older
# generations as by default.
GC_THRESHOLD = 10_000


def settle(threshold: int = GC_THRESHOLD, *, views: bool = True) -> None:
    """Import every view when `views` (Django does so at the first request), keep what the
    process has loaded out of every collection, and collect less often."""
    if views:
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018 (imports the URLconf and every view module)
    gc.collect()
    gc.freeze()
    gc.set_threshold(threshold, *gc.get_threshold()[1:])
