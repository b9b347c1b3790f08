from django.core.management.base import BaseCommand
from django.utils import translation

from portal.accounts.models import Role
from portal.daycache import figures_changed
from web.demo.dalarna import DEMO_PASSWORD, DEMO_USERS, build_demo
from web.demo.gavleborg import SCOPES as GAVLEBORG_SCOPES
from web.demo.gavleborg import USERS as GAVLEBORG_USERS
from web.demo.gavleborg import build_gavleborg

_SCOPES = {
    "programadmin@demo.hvd.se": "HvD (whole region)",
    "hr.borlange@demo.hvd.se": "Borlänge",
    "hr.falun@demo.hvd.se": "Falun",
    "forvaltningschef.borlange@demo.hvd.se": "Borlänge",
    "rad@demo.hvd.se": "HvD (aggregates only)",
    "chef@demo.hvd.se": "own progress: half-way",
    "chef.klar@demo.hvd.se": "own progress: completed, with a certificate",
    "chef.ny@demo.hvd.se": "own progress: between courses, may ask to be nominated",
}


class Command(BaseCommand):
    help = (
        "Load the Dalarna demo (Hälsa och välfärd i Dalarna): 15 municipalities, the "
        "programme, offerings HT2022–VT2027, 143 historic participants, the Borlänge "
        "mandate and one log-in per role; and a second region, Gävleborg, with its own "
        "log-ins and a national administrator. Running it again rebuilds the same data."
    )

    def handle(self, *args, **options):
        s = build_demo()
        self.stdout.write(self.style.SUCCESS("Dalarna demo loaded."))
        self.stdout.write(
            f"  {s.municipalities} municipalities, {s.administrations} administrations, "
            f"{s.offerings} course offerings\n"
            f"  {s.participants} managers: {s.historic_participants} took a course "
            f"HT2022–HT2025, {s.current_participants} started HT2026, "
            f"{s.not_started} not started\n"
            f"  {s.enrolments} enrolments, {s.events} enrolment events, "
            f"{s.credit_transfers} credit transfers, {s.mandates} mandate\n"
            f"  {s.certificates} certificates, {s.nomination_requests} requests to be "
            f"nominated, {s.evaluation_answers} answers to a course evaluation"
        )
        g = build_gavleborg()
        # Bulk inserts send no signal: what was kept of the data before is forgotten here.
        figures_changed()
        self.stdout.write(self.style.SUCCESS("Gävleborg demo loaded."))
        self.stdout.write(
            f"  {g.municipalities} municipalities, {g.offerings} course offerings, "
            f"{g.participants} managers, {g.enrolments} enrolments"
        )
        rows = [("Role", "E-mail", "Password", "Sees")]
        # The rest of the output is English; role names would otherwise follow LANGUAGE_CODE.
        with translation.override("en"):
            rows += [
                (str(Role(role).label), email, DEMO_PASSWORD, _SCOPES.get(email, ""))
                for role, email in DEMO_USERS
            ]
            rows += [
                (str(Role(role).label), email, DEMO_PASSWORD, GAVLEBORG_SCOPES[email])
                for role, email, *_rest in GAVLEBORG_USERS
            ]
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Demo log-ins"))
        for number, row in enumerate(rows):
            line = "  " + "  ".join(
                cell.ljust(width) for cell, width in zip(row, widths, strict=True)
            )
            self.stdout.write(line.rstrip())
            if number == 0:
                self.stdout.write("  " + "  ".join("-" * width for width in widths))
