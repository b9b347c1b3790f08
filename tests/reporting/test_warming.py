"""The council's day figures made by a real worker after a committed write, before their
first reader; writes meanwhile ask for one run; with the broker down a write stands and
only the first waits on it."""

import time

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from enrolment.compliance_shares import _region_table, region_compliance_section
from portal.daycache import day_figures_kept, figures_changed
from reporting.followup import sections
from reporting.followup.warming import make_day_figures, pending_key
from reporting.tasks import warm_later
from tests.workers import purge_queue

from .test_worker import broker_down, transactional_db_client  # noqa: F401

KINDS = [
    "key-figures",
    "key-figures-page",
    "intake-page-exact",
    "intake-page-disclosed",
    "compliance-region-exact",
    "compliance-region-disclosed",
]


def _kept(region, on) -> dict:
    kept = {}
    for language in ("sv", "en"):
        with translation.override(language):
            for kind in KINDS:
                kept[(language, kind)] = day_figures_kept(kind, region, on)
    return kept


def _wait_until_kept(region, on, timeout=60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kept = _kept(region, on)
        if all(kept.values()):
            return kept
        time.sleep(0.1)
    raise AssertionError(f"the worker did not make the figures in time: {kept}")


@pytest.mark.worker
def test_a_committed_write_has_the_worker_make_every_section_before_the_first_reader(
    transactional_db,
    celery_worker,
    settings,
    world,
    personas,
    completed,
    borlange_team,
    django_assert_max_num_queries,
):
    settings.FIGURES_WARM_SECONDS = 0.2
    on = timezone.localdate()
    cache.delete(pending_key())
    world.borlange.name = "Borlänge kommun"
    world.borlange.save()  # committed: the generation moves, a run is asked for

    kept = _wait_until_kept(world.region, on)
    assert all(kept.values())
    # What the worker made is what the page would make itself from the same data.
    made = sections.key_figures_section(world.region, on)
    assert made == sections._key_figures_section(world.region, on)
    assert "Borlänge kommun" in made
    with translation.override("en"):
        made = region_compliance_section(world.region, on, exact=False)
        assert made == _region_table(world.region, on, exact=False)

    # The council's first reader after the write reads the sections, and counts nothing.
    client = transactional_db_client(personas.council)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("followup:key_figures"))
    assert response.status_code == 200
    assert "Borlänge kommun" in response.content.decode()


def test_writes_while_a_run_is_pending_ask_for_one_run(db, settings, world):
    settings.FIGURES_WARM_SECONDS = 30
    cache.delete(pending_key())
    try:
        assert warm_later() is True
        assert warm_later() is False
        assert warm_later() is False
        # The run clears the mark first: a write during it asks for another.
        assert make_day_figures() == 1
        assert warm_later() is True
    finally:
        cache.delete(pending_key())
        purge_queue()


def test_without_a_worker_nothing_is_asked(db, settings, world):
    settings.FIGURES_WARM_SECONDS = None
    cache.delete(pending_key())
    assert warm_later() is False
    assert cache.get(pending_key()) is None


def test_the_run_makes_what_the_pages_read(db, world, personas, completed, borlange_team):
    on = timezone.localdate()
    figures_changed()
    assert not any(_kept(world.region, on).values())
    assert make_day_figures() == 1
    assert all(_kept(world.region, on).values())


def test_with_the_broker_down_a_write_stands_and_the_next_ones_do_not_ask_again(
    transactional_db,
    broker_down,  # noqa: F811
    settings,
    world,
):
    settings.FIGURES_WARM_SECONDS = 0.2
    cache.delete(pending_key())
    try:
        world.falun.name = "Falu kommun"
        world.falun.save()  # committed: the run is asked for, and the broker is not there
        world.falun.refresh_from_db()
        assert world.falun.name == "Falu kommun"
        # The mark stays until it expires: the next writes do not wait on the broker.
        assert cache.get(pending_key()) == 1
        assert warm_later() is False
    finally:
        cache.delete(pending_key())
