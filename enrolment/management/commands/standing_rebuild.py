import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ... import projection, setbased


class Command(BaseCommand):
    help = (
        "Recompute where every manager stands today and store it (the rows the daily "
        "pages read). Safe at any time: readers meanwhile compute their own answer."
    )

    def handle(self, *args, **options):
        if not setbased.is_supported():
            raise CommandError(_("The stored standing needs PostgreSQL."))
        started = time.perf_counter()
        projection.refresh()
        self.stdout.write(
            _("Stored where every manager stands today in %(seconds).1f s.")
            % {"seconds": time.perf_counter() - started}
        )
