"""Day-level figures and pages of a region, kept in the cache per region and day until a
write.

Key figures, intake planning and the region's compliance count a whole region (and a
start page's table all the managers of a reach), and the figures of a day change only
when the data behind them does. Every save or delete of a
model of the apps they read (programmes, enrolment, evaluations) moves the generation on
(a new token), and figures are kept under the generation they were made in, so any write makes
every kept figure unreachable. The generation moves at the write, for what the same
transaction reads next, and again when the transaction commits, so that figures made
meanwhile from the data before it are never read after it. Bulk inserts send no signal
(the participant import, the loading of data): the key also holds the highest id of the
tables they fill, read in one indexed query, so new rows make new figures too. (The
release of evaluation answers inserts in bulk, then deletes what it released through the
ORM, which signals.)

The same generation keeps what every page of a region reads alike and only programme and
HR administrators change (`kept`): a region's programme with its slots, a municipality's
mandates, the offerings still to run. Those tables are never filled in bulk outside the
seed commands and migrations, which move the generation themselves.

With no cache reachable every read misses and the figures are computed: the cache helps
and never decides. A write that could not move the generation (Redis unreachable, its
data kept) has its process move it at the next read that reaches Redis, so that nothing
kept before the outage is read after it.
"""

import threading
import uuid

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.dispatch import Signal
from django.utils import translation

# The apps whose rows the council's figures are made of.
APPS = frozenset({"programmes", "enrolment", "evaluations"})

# The models that bulk inserts fill, without a signal.
BULK_INSERTED = ("enrolment.Participant", "enrolment.Enrolment", "enrolment.CreditTransfer")

KEEP_SECONDS = 60 * 60 * 24

# Sent when a write through the ORM to the apps above has committed and the generation
# has moved: what keeps figures can make them again ahead of their first reader.
figures_committed = Signal()


def generation_key() -> str:
    """One generation per database: processes on other databases (test runs side by
    side) move only their own."""
    return f"followup:generation:{connection.settings_dict['NAME']}"


# The generation a request has read, so that it asks the cache once, not at every kept
# read; forgotten at the request's end and at any write the request makes.
_request = threading.local()


# A write whose new generation could not be told to the cache (Redis unreachable, which
# the cache reports as a failed set): the process moves the generation at its next read
# instead, so that values kept before the outage are not read after it as if nothing had
# been written meanwhile.
_unsent = threading.Event()


def figures_changed() -> None:
    """The data behind the council's figures changed: forget every kept figure. A new
    generation is a random token, never a count: a count could start again (the key
    evicted while values kept under it survive) and find the values of an earlier day."""
    _request.generation = None
    told = cache.set(generation_key(), uuid.uuid4().hex, None)
    # django-redis answers True, or None when it could not reach Redis; Django's own
    # backends answer None always, and never fail to be reached.
    if told or not settings.CACHES["default"]["BACKEND"].startswith("django_redis"):
        _unsent.clear()
    else:
        _unsent.set()


def generation() -> str:
    """The current generation; inside a request, as the request first read it (or as its
    own last write left it)."""
    if _unsent.is_set():
        figures_changed()
        if _unsent.is_set():
            # Still unreachable: nothing kept can be read, so ask nothing more of it.
            return uuid.uuid4().hex
    current = getattr(_request, "generation", None)
    if current is None:
        current = cache.get(generation_key())
        if current is None:
            cache.add(generation_key(), uuid.uuid4().hex, None)
            current = cache.get(generation_key(), "")
        if getattr(_request, "open", False):
            _request.generation = current
    return current


def _request_started(**kwargs) -> None:
    _request.open, _request.generation = True, None


def _request_finished(**kwargs) -> None:
    _request.open, _request.generation = False, None


def _committed() -> None:
    figures_changed()
    figures_committed.send(sender=None)


def _written(sender, **kwargs) -> None:
    if sender._meta.app_label in APPS:
        figures_changed()
        transaction.on_commit(_committed)


def _migrated(sender, **kwargs) -> None:
    figures_changed()


def connect() -> None:
    """Called once from the portal app's `ready()`."""
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_written, dispatch_uid=f"portal.daycache.{signal}")
    post_migrate.connect(_migrated, dispatch_uid="portal.daycache.post_migrate")
    request_started.connect(_request_started, dispatch_uid="portal.daycache.request_started")
    request_finished.connect(_request_finished, dispatch_uid="portal.daycache.request_finished")


def _inserted() -> str:
    """The highest id of each table that bulk inserts fill."""
    tables = [apps.get_model(label)._meta.db_table for label in BULK_INSERTED]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT max(id) FROM {table})" for table in tables))
        return "-".join(str(n or 0) for n in cursor.fetchone())


def _key(parts) -> str:
    """The cache key of `parts`, with the database's name."""
    return ":".join(str(part) for part in (parts[0], connection.settings_dict["NAME"], *parts[1:]))


def _cached(parts, compute):
    """`compute()`'s value kept under the key made of `parts` (the database's name added),
    computed and kept when the cache has none."""
    key = _key(parts)
    try:
        value = cache.get(key)
    except Exception:  # kept by an earlier version of the code that no longer unpickles
        value = None
    if value is None:
        value = compute()
        cache.set(key, value, KEEP_SECONDS)
    return value


def _day_parts(kind: str, scope, on) -> tuple:
    current = f"{generation()}-{_inserted()}"
    scope = getattr(scope, "pk", scope)
    return ("followup", kind, scope, on.isoformat(), translation.get_language(), current)


def day_figures(kind: str, region, on, compute):
    """`compute()`'s figures of the region on the day, from the cache when nothing was
    written since they were made. `region` may also be a key of a reach
    (`programmes.selectors.reach_key`): figures over all the managers a user reaches."""
    return _cached(_day_parts(kind, region, on), compute)


def day_figures_kept(kind: str, region, on) -> bool:
    """Whether `day_figures` would read the figures from the cache now."""
    return cache.get(_key(_day_parts(kind, region, on))) is not None


def kept(kind: str, parts, compute):
    """`compute()`'s value for `parts` (ids, a day), from the cache when nothing was
    written since it was made: for what pages read alike for every user of a region and
    only a write through the ORM changes (no bulk insert).

    Inside a transaction it is computed, never kept: what a transaction reads after its
    own write must not outlive a rollback."""
    if connection.in_atomic_block:
        return compute()
    return _cached(("kept", kind, *parts, generation()), compute)
