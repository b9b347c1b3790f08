"""Times the busiest pages on synthetic data: the manager list (first page, filtered,
searched), a manager's page, an offering's page, and the Django admin changelist over the
same managers, and prints each median and its ratio to the admin changelist.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/ledarskap \
        .venv/bin/python bench/pages.py [--runs 15]

Loads `seed_scale --municipalities 290 --participants 20000` first when the synthetic
region is missing. Never run by the test suite.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from enrolment.models import Participant  # noqa: E402
from portal.accounts.models import Role, RoleAssignment, User  # noqa: E402
from programmes.models import CourseOffering, Region  # noqa: E402

SCALE_COUNTY = "99"


def ensure_data():
    region = Region.objects.filter(county_code=SCALE_COUNTY).first()
    if region is None or not Participant.objects.filter(municipality__region=region).exists():
        started = time.perf_counter()
        call_command("seed_scale", municipalities=290, participants=20000)
        print(f"seed_scale loaded in {time.perf_counter() - started:.1f} s")
        region = Region.objects.get(county_code=SCALE_COUNTY)
    return region


def bench_user(region):
    user, _ = User.objects.get_or_create(
        email="bench@example.invalid", defaults={"is_staff": True, "is_superuser": True}
    )
    RoleAssignment.objects.get_or_create(user=user, role=Role.PROGRAMME_ADMIN, region=region)
    return user


def median_ms(client, url, runs):
    client.get(url)  # warm caches, templates and the connection
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    region = ensure_data()
    client = Client()
    client.force_login(bench_user(region))
    participants = Participant.objects.filter(municipality__region=region)
    busy = (
        participants.annotate(n=Count("enrolments"))
        .order_by("-n", "pk")
        .values_list("pk", flat=True)
    )[0]
    offering = (
        CourseOffering.objects.filter(course__slot__programme__region=region)
        .annotate(n=Count("enrolments"))
        .order_by("-n")
        .first()
    )
    municipality = participants.values_list("municipality_id", flat=True).first()
    pages = {
        "admin changelist": reverse("admin:enrolment_participant_changelist"),
        "manager list, first page": reverse("enrolment:participant_list"),
        "manager list, filtered": reverse("enrolment:participant_list")
        + f"?municipality={municipality}&status=in_progress",
        "manager list, searched": reverse("enrolment:participant_list") + "?q=an",
        "manager page": reverse("enrolment:participant_detail", args=[busy]),
        "offering page": reverse("enrolment:offering_detail", args=[offering.pk]),
    }
    print(f"{participants.count()} managers, {args.runs} runs each, median:")
    results = {name: median_ms(client, url, args.runs) for name, url in pages.items()}
    base = results["admin changelist"]
    for name, ms in results.items():
        print(f"  {name:28} {ms:8.1f} ms   {ms / base:5.2f} × admin changelist")


if __name__ == "__main__":
    main()
