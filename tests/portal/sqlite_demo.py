"""The demo as `make run` serves it without services (SQLite, tasks run at once), visited
by every demo user: run in its own process by `test_sqlite_demo.py`, with DATABASE_URL
naming a fresh SQLite file.

Each user follows the links of the pages they reach, breadth first, up to PAGES_PER_USER
pages, and also opens the pages that count in PostgreSQL only (key figures and their
download, the aggregates of the API, the report list). Every answer below 500 passes;
the URLs that answered 500 or more are printed as JSON, one {url: status} per user. The
API is called with a key for each of the user's roles.
"""

import io
import json
import os
import re
import sys

PAGES_PER_USER = int(os.environ.get("DEMO_PAGES_PER_USER", "30"))
ALWAYS = [
    "/uppfoljning/nyckeltal/",
    "/uppfoljning/nyckeltal.csv",
    "/uppfoljning/intagsplanering.csv",
    "/uppfoljning/intagsplanering/",
    "/efterlevnad/region/",
    "/rapporter/",
]
# The API, with a key for each of the user's roles.
API = ["/api/v1/managers/", "/api/v1/offerings/", "/api/v1/enrolments/", "/api/v1/aggregates/"]
# Links not to follow: logging out ends the visit; files and the admin are not pages.
SKIP = re.compile(r"logout|/static/|/admin/|\.(pdf|csv|xlsx|ics|json)$|/konto/")


def main() -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    from api.models import ApiToken, hash_key, new_key
    from portal.accounts.models import User
    from programmes.models import Region
    from reporting.models import ReportRequest, ReportState

    UNFINISHED = (ReportState.QUEUED, ReportState.RUNNING)

    failures = {}
    for user in User.objects.filter(is_active=True).order_by("email"):
        email = user.email
        client = Client(raise_request_exception=False)
        client.force_login(user)
        todo, seen, bad = ["/", *ALWAYS], set(), {}
        while todo and len(seen) < PAGES_PER_USER + len(ALWAYS):
            url = todo.pop(0)
            if url in seen:
                continue
            seen.add(url)
            response = client.get(url)
            if response.status_code >= 500:
                bad[url] = response.status_code
            elif response.status_code in (301, 302):
                todo.insert(0, response["Location"])
            elif "html" in response.get("Content-Type", ""):
                for href in re.findall(r'href="(/[^"#]*)"', response.content.decode()):
                    href = href.replace("&amp;", "&")
                    if not SKIP.search(href) and href not in seen:
                        todo.append(href)
        # Ordering the regional report: refused, or made at once (tasks run at once here).
        response = client.post(
            "/rapporter/bestall/regional/",
            {
                "region": Region.objects.order_by("pk").first().pk,
                "period_first": "HT2024",
                "period_last": "HT2025",
            },
        )
        if response.status_code >= 500:
            bad["POST /rapporter/bestall/regional/"] = response.status_code
        for report in ReportRequest.objects.filter(state__in=UNFINISHED):
            bad[f"report {report.kind} left {report.state}"] = 0
        for assignment in user.role_assignments.all():
            key = new_key()
            ApiToken.objects.create(
                name="demo", assignment=assignment, key_hash=hash_key(key), key_start=key[:12]
            )
            for url in API:
                response = Client(raise_request_exception=False).get(
                    url, headers={"Authorization": f"Bearer {key}"}
                )
                if response.status_code >= 500:
                    bad[f"{url} ({assignment.role})"] = response.status_code
        failures[email] = bad
    return failures


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    print(json.dumps(main()))
