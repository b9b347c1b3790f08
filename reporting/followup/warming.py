"""The council's day figures made ahead of their first reader.

Every committed write moves the day cache's generation (`portal.daycache`), so the next
reader of key figures, intake planning or the region's compliance would wait while the
whole region is counted again. Instead, a write asks a worker to make them: a few seconds
after the first write (`FIGURES_WARM_SECONDS`) the worker makes every region's sections,
in every language and for both kinds of viewer, under the keys the pages read. Writes
while one run is pending ask for nothing more; a write during a run asks for another, and
what the run made from the data before it is kept under the old generation, never read.

A page never waits for the worker: with nothing made yet, it counts for itself, as before.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone, translation

from enrolment import setbased
from enrolment.compliance_shares import region_compliance_section
from programmes.models import Region

from .sections import intake_section, key_figures_section


def pending_key() -> str:
    return f"followup:warm-pending:{connection.settings_dict['NAME']}"


def make_day_figures(on=None) -> int:
    """Makes every region's kept sections of the day; returns how many regions."""
    cache.delete(pending_key())
    if not setbased.is_supported():
        return 0
    on = on or timezone.localdate()
    regions = list(Region.objects.order_by("pk"))
    for region in regions:
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                key_figures_section(region, on)
                for exact in (False, True):
                    intake_section(region, on, exact=exact)
                    region_compliance_section(region, on, exact=exact)
    return len(regions)
