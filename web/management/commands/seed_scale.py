from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import ProtectedError

from portal.daycache import figures_changed
from web.demo.scale import DEFAULT_SEED, MAX_MUNICIPALITIES, MAX_REGIONS, build_scale


class Command(BaseCommand):
    help = (
        "Load synthetic data for benchmarks: a region of its own (county code 99) with N "
        "municipalities and M managers with enrolment histories, or with --regions R that "
        "many regions (the nation: 21) sharing them, each with its own programme, and "
        "several providers. Replaces the synthetic regions' data if they exist; real "
        "regions are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--municipalities",
            type=int,
            required=True,
            help=f"number of municipalities, 1 to {MAX_MUNICIPALITIES}",
        )
        parser.add_argument(
            "--participants", type=int, required=True, help="number of managers, at least 1"
        )
        parser.add_argument(
            "--regions",
            type=int,
            default=1,
            help=f"number of synthetic regions, 1 to {MAX_REGIONS} (default 1; the nation: 21)",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"random seed; the same seed gives the same data (default {DEFAULT_SEED})",
        )

    def handle(self, *args, municipalities, participants, seed, regions, **options):
        if municipalities < 1:
            raise CommandError(f"--municipalities must be at least 1, not {municipalities}.")
        if municipalities > MAX_MUNICIPALITIES:
            raise CommandError(
                f"--municipalities can be at most {MAX_MUNICIPALITIES} (the synthetic "
                f"municipality codes are four digits from 9001), not {municipalities}."
            )
        if participants < 1:
            raise CommandError(f"--participants must be at least 1, not {participants}.")
        if not 1 <= regions <= min(MAX_REGIONS, municipalities):
            raise CommandError(
                f"--regions must be between 1 and {MAX_REGIONS}, and no more than "
                f"--municipalities, not {regions}."
            )

        try:
            s = build_scale(
                municipalities=municipalities,
                participants=participants,
                seed=seed,
                regions=regions,
            )
        except ProtectedError as error:
            raise CommandError(
                "The synthetic region cannot be replaced: other data still refers to it "
                f"({error.args[0]}). Delete that data first."
            ) from error
        # Bulk inserts send no signal: what was kept of the data before is forgotten here.
        figures_changed()
        if connection.vendor == "postgresql":
            # Bulk inserts leave the planner's statistics behind until autovacuum comes by;
            # a benchmark run straight after would time plans made for empty tables.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        what = "Synthetic region" if regions == 1 else f"{regions} synthetic regions"
        self.stdout.write(self.style.SUCCESS(f"{what} loaded in {s.seconds:.1f} s."))
        self.stdout.write(
            f"  {s.municipalities} municipalities, {s.administrations} administrations, "
            f"{s.offerings} course offerings, {s.mandates} mandates\n"
            f"  {s.participants} managers, {s.enrolments} enrolments, "
            f"{s.events} enrolment events, {s.credit_transfers} credit transfers"
        )
