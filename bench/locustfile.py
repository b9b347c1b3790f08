"""The daily mix under load: every role logs in and goes about its pages, the council's
included, against gunicorn with production settings.

    # bench/load.sh does all three steps, with one SECRET_KEY for the sessions and the site.
    # 1. Users for the synthetic region (seed_scale, county 99) and a session each, written
    #    to a copy of the benchmark database, never to the shared one:
    createdb -h 127.0.0.1 -U postgres -T ledarskap_bench20 ledarskap_bench_copy
    DEBUG=0 SECRET_KEY=... DATABASE_URL=postgres://postgres@127.0.0.1:5432/ledarskap_bench_copy \\
        .venv/bin/python bench/locustfile.py setup --out /tmp/locust-users.json

    # 2. The site with production settings and the same SECRET_KEY, behind its proxy:
    DEBUG=0 SECRET_KEY=... ALLOWED_HOSTS=127.0.0.1 TRUSTED_PROXY_COUNT=1 DATABASE_URL=... \\
        REDIS_URL=... GUNICORN_BIND=127.0.0.1:8443 .venv/bin/gunicorn -c gunicorn.conf.py \\
        portal.wsgi

    # 3. Twenty users for sixty seconds:
    LOCUST_USERS_FILE=/tmp/locust-users.json .venv/bin/locust -f bench/locustfile.py \\
        --headless -u 20 -r 20 -t 60s --host http://127.0.0.1:8443 --reset-stats

The mix, per role (weights are the share of simulated users):

| role | weight | pages |
|---|---:|---|
| HR administrator | 6 | managers list (first, filtered, searched), a manager's page, compliance |
| manager | 4 | "Min utbildning" |
| head of administration | 2 | start page, compliance, managers list |
| council member | 2 | start page, key figures, regional compliance, intake planning |
| programme administrator | 1 | start page, managers list, a manager's page, regional compliance |

Users start with the sessions `setup` made for them (as a log-in makes them), unless
LOCUST_LOGIN=form, when each logs in through the form first.

Each simulated user waits LOCUST_WAIT_MIN–LOCUST_WAIT_MAX seconds (default 0.1–0.5)
between pages: people who click through their pages briskly, not a flood. With
LOCUST_WARMUP=N (bench/load.sh: 30) the figures are reset N seconds into the run, after
the log-ins and each worker's first use of each page.
"""

import json
import os
import random
import sys

PASSWORD = "bench-ledare-2026-not-secret"
SCALE_COUNTY = "99"


# --- Setup: users on the benchmark copy (run as a script, with Django) ---------------------


def setup(out: str, managers: int = 40) -> None:
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction
    from django.db.models import Count

    from enrolment.models import Mandate, Participant
    from portal.accounts.models import Role, RoleAssignment, User
    from programmes.models import Municipality, Region

    region = Region.objects.get(county_code=SCALE_COUNTY)
    with_mandate = Mandate.objects.filter(municipality__region=region).values("municipality")
    municipality = (
        Municipality.objects.filter(region=region, pk__in=with_mandate)
        .annotate(n=Count("participants"))
        .order_by("-n", "pk")
        .first()
    )

    def user(email, role, **scope):
        account, _created = User.objects.get_or_create(email=email)
        account.set_password(PASSWORD)
        account.save()
        RoleAssignment.objects.get_or_create(user=account, role=role, **scope)
        return email

    with transaction.atomic():
        emails = {
            "hr": user("hr@bench.invalid", Role.HR_ADMIN, municipality=municipality),
            "head": user(
                "head@bench.invalid", Role.HEAD_OF_ADMINISTRATION, municipality=municipality
            ),
            "council": user("council@bench.invalid", Role.COUNCIL, region=region),
            "programme_admin": user("admin@bench.invalid", Role.PROGRAMME_ADMIN, region=region),
        }
        people = list(
            Participant.objects.filter(municipality=municipality, left_on__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        own = []
        for pk in people[:managers]:
            email = f"manager{pk}@bench.invalid"
            user(email, Role.MANAGER)
            Participant.objects.filter(pk=pk).update(user=User.objects.get(email=email))
            own.append(email)
    # A session for each user, as a log-in makes it: the load may start logged in rather
    # than with twenty password hashes at once (LOCUST_LOGIN=form logs in instead). Made
    # just before the run: a session ends after SESSION_IDLE_MINUTES without a request.
    from django.test import Client

    sessions = {}
    for email in [*emails.values(), *own]:
        client = Client()
        client.force_login(User.objects.get(email=email))
        sessions[email] = client.cookies[settings.SESSION_COOKIE_NAME].value
    data = {
        "password": PASSWORD,
        "sessions": sessions,
        "users": emails,
        "managers": own,
        "municipality": {"id": municipality.pk, "code": municipality.code},
        "participants": people[:200],
    }
    Path(out).write_text(json.dumps(data, indent=2))
    print(f"Users for {municipality.name} ({municipality.code}), {len(own)} managers: {out}")


# --- The load (run by locust) -------------------------------------------------------------

if __name__ != "__main__":
    import gevent
    from locust import HttpUser, between, events, task

    # Log-ins (a deliberately slow password hash each) and each worker's first use of a
    # page are not the daily mix: the figures start LOCUST_WARMUP seconds into the run.
    WARMUP = float(os.environ.get("LOCUST_WARMUP", "0"))

    @events.test_start.add_listener
    def _warm_up(environment, **kwargs):
        if WARMUP > 0:

            def reset():
                gevent.sleep(WARMUP)
                environment.runner.stats.reset_all()
                print(f"Warm-up of {WARMUP:g} s over: figures from here on.", flush=True)

            gevent.spawn(reset)

    with open(os.environ.get("LOCUST_USERS_FILE", "/tmp/locust-users.json")) as handle:
        DATA = json.load(handle)
    WAIT = between(
        float(os.environ.get("LOCUST_WAIT_MIN", "0.1")),
        float(os.environ.get("LOCUST_WAIT_MAX", "0.5")),
    )
    CODE = DATA["municipality"]["code"]
    MUNICIPALITY = DATA["municipality"]["id"]

    class PortalUser(HttpUser):
        abstract = True
        wait_time = WAIT
        role = ""

        def on_start(self):
            # With BENCH_TLS=1 gunicorn has a self-signed certificate.
            self.client.verify = False
            if self.host.startswith("http://"):
                # Plain HTTP from the proxy in front, which terminated TLS (as in
                # production: TRUSTED_PROXY_COUNT=1, SECURE_PROXY_SSL_HEADER).
                self.client.headers.update(
                    {"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.10"}
                )
            email = self.email()
            session = DATA.get("sessions", {}).get(email)
            if session and os.environ.get("LOCUST_LOGIN", "session") == "session":
                self.client.cookies.set("sessionid", session)
            else:
                self.log_in(email)

        def email(self) -> str:
            return DATA["users"][self.role]

        def log_in(self, email):
            self.client.get("/konto/login/", name="log-in page")
            token = self.client.cookies.get("csrftoken")
            with self.client.post(
                "/konto/login/",
                data={"login": email, "password": DATA["password"], "csrfmiddlewaretoken": token},
                headers={"Referer": f"{self.host}/konto/login/"},
                name="log in",
                catch_response=True,
            ) as response:
                if "sessionid" not in self.client.cookies:
                    response.failure(f"{email} was not logged in")

        def page(self, path, name):
            with self.client.get(path, name=name, catch_response=True) as response:
                if response.status_code != 200:
                    response.failure(f"{path}: {response.status_code}")
                elif "/konto/login/" in response.url:
                    response.failure(f"{path}: sent to log in")

        def manager_page(self):
            pk = random.choice(DATA["participants"])
            self.page(f"/chefer/{pk}/", "manager page")

    class HrAdministrator(PortalUser):
        weight = 6
        role = "hr"

        @task(3)
        def managers_list(self):
            self.page("/chefer/", "managers list")

        @task(1)
        def managers_filtered(self):
            self.page("/chefer/?status=in_progress&page=2", "managers list, filtered")

        @task(1)
        def managers_searched(self):
            self.page("/chefer/?q=an", "managers list, searched")

        @task(3)
        def manager(self):
            self.manager_page()

        @task(2)
        def compliance(self):
            self.page(f"/efterlevnad/{CODE}/", "compliance")

    class Manager(PortalUser):
        weight = 4
        role = "manager"

        def email(self) -> str:
            return random.choice(DATA["managers"])

        @task
        def own_page(self):
            self.page("/min-utbildning/", "own page")

    class HeadOfAdministration(PortalUser):
        weight = 2
        role = "head"

        @task(2)
        def start_page(self):
            self.page("/", "start page")

        @task(2)
        def compliance(self):
            self.page(f"/efterlevnad/{CODE}/", "compliance")

        @task(1)
        def managers_list(self):
            self.page("/chefer/", "managers list")

    class CouncilMember(PortalUser):
        weight = 2
        role = "council"

        @task(1)
        def start_page(self):
            self.page("/", "start page")

        @task(2)
        def key_figures(self):
            self.page("/uppfoljning/nyckeltal/", "key figures")

        @task(2)
        def regional_compliance(self):
            self.page("/efterlevnad/region/", "regional compliance")

        @task(2)
        def intake_planning(self):
            self.page("/uppfoljning/intagsplanering/", "intake planning")

    class ProgrammeAdministrator(PortalUser):
        weight = 1
        role = "programme_admin"

        @task(1)
        def start_page(self):
            self.page("/", "start page")

        @task(2)
        def managers_list(self):
            self.page("/chefer/", "managers list")

        @task(2)
        def manager(self):
            self.manager_page()

        @task(1)
        def regional_compliance(self):
            self.page("/efterlevnad/region/", "regional compliance")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Users for bench/locustfile.py")
    parser.add_argument("command", choices=["setup"])
    parser.add_argument("--out", default="/tmp/locust-users.json")
    parser.add_argument("--managers", type=int, default=40)
    arguments = parser.parse_args()
    setup(arguments.out, arguments.managers)
