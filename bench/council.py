"""Times the council's pages beside the Django admin changelist of the same managers, in one
run: key figures, intake planning and the region's compliance, as a council member of the
synthetic region sees them, and prints each median, its ratio to the admin changelist and
its number of queries: as read again, as made afresh right after a write (the day's
figures are kept until one), and the very first request of the process.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/ledarskap_bench20 \\
        .venv/bin/python bench/council.py [--runs 7]

Run it on the 20,000 and the 50,000 databases to see how each page grows. The users it
logs in with are written inside a transaction that is rolled back at the end, so the
database is left as it was (the benchmark databases are shared and read-only). Needs the
synthetic region of `seed_scale` (county code 99). The process collects garbage as the
web server's workers do (`gunicorn.conf.py`); `--default-gc` keeps Python's default, which
spends some 50 ms of a key-figures page made afresh walking all of Django. Never run by
the tests.
"""

import argparse
import os
import runpy
import statistics
import sys
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from enrolment.models import Participant  # noqa: E402
from portal.accounts.models import Role, RoleAssignment, User  # noqa: E402
from programmes.models import Region  # noqa: E402

SYNTHETIC = "99"


class Rollback(Exception):
    pass


class Measured(NamedTuple):
    warm: float
    cold: float
    after_write: float
    queries: int
    warm_queries: int


def server_gc() -> None:
    """The cyclic collector as the web server's workers run it: `gunicorn.conf.py`'s own
    `post_worker_init` (what the process has loaded frozen, collections after 10,000 new
    objects), so that the pages are timed as production serves them."""
    runpy.run_path(str(ROOT / "gunicorn.conf.py"))["post_worker_init"](None)


def client_for(email, role, region, **flags) -> Client:
    user = User.objects.create(email=email, **flags)
    RoleAssignment.objects.create(user=user, role=role, region=region)
    client = Client()
    client.force_login(user)
    return client


def write(run: int) -> None:
    """A write as the portal makes them: a manager's name corrected through the ORM, which
    moves the day's figures on and notes the manager's stored row out of date."""
    manager = Participant.objects.order_by("pk")[run]
    manager.first_name = f"{manager.first_name.rstrip('*')}{'*' * (run % 2)}"
    manager.save()


def measure(client, url, runs):
    """Milliseconds of the first request (cold: nothing kept for the day yet), the median
    of `runs` requests after it, the median of `runs` requests each made right after a
    write (`write`: the figures made afresh by a warm process, the written manager's
    stored row brought up to date), and the queries of the first and of the last."""
    reset_queries()  # the log keeps 9,000 queries: a full one would count none
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(url)
        cold = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _run in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    written = []
    for run in range(runs):
        write(run)
        started = time.perf_counter()
        response = client.get(url)
        written.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    reset_queries()
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    return Measured(
        statistics.median(times), cold, statistics.median(written), len(captured), len(warm)
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--default-gc",
        action="store_true",
        help="keep Python's default collector instead of the web server's settings",
    )
    args = parser.parse_args()
    if not args.default_gc:
        server_gc()
    settings.ALLOWED_HOSTS = ["*"]
    region = Region.objects.filter(county_code=SYNTHETIC).first()
    if region is None:
        sys.exit("No synthetic region: run `manage.py seed_scale` first.")
    managers = Participant.objects.filter(municipality__region=region).count()
    print(
        f"{connection.settings_dict['NAME']}: {region.municipalities.count()} municipalities, "
        f"{managers} managers; {args.runs} runs each, median:",
        flush=True,
    )
    try:
        with transaction.atomic():
            admin = client_for(
                "bench-admin@example.invalid",
                Role.PROGRAMME_ADMIN,
                region,
                is_staff=True,
                is_superuser=True,
            )
            council = client_for("bench-council@example.invalid", Role.COUNCIL, region)
            pages = [
                ("admin changelist", admin, reverse("admin:enrolment_participant_changelist")),
                ("key figures", council, reverse("followup:key_figures")),
                ("intake planning", council, reverse("followup:intake_planning")),
                ("regional compliance", council, reverse("enrolment:compliance_region")),
            ]
            results = {}
            for name, client, url in pages:
                results[name] = measure(client, url, args.runs)
                print(f"  {name:22} {results[name].warm:8.1f} ms", flush=True)
            raise Rollback
    except Rollback:
        pass
    base = results["admin changelist"].warm
    written = results["admin changelist"].after_write
    print(
        "Side by side (median after the first request; right after a write, each figure"
        " made afresh; the first, cold, apart):"
    )
    for name, m in results.items():
        print(
            f"  {name:22} {m.warm:8.1f} ms  {m.warm / base:5.2f} × admin changelist"
            f"  {m.warm_queries} queries"
            f"   | after a write {m.after_write:8.1f} ms  {m.after_write / written:5.2f} ×"
            f"   | first {m.cold:8.1f} ms  {m.cold / base:6.2f} ×  {m.queries} queries"
        )


if __name__ == "__main__":
    main()
