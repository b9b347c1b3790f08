"""What pages read alike for every user of a region (a programme with its slots, a
municipality's mandates, the offerings still to run or open) is kept until a write:
read once, then from the cache, and read anew after any write through the ORM. Inside a
transaction nothing is kept, so a rollback never leaves a kept read of its writes."""

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from enrolment.mandates import mandates_of
from enrolment.progress import progress_of
from enrolment.selectors import offerings_open_to, offerings_open_to_listed
from programmes.models import OfferingState
from programmes.selectors import reach_key
from tests import factories as f


def _queries(call):
    with CaptureQueriesContext(connection) as captured:
        value = call()
    return value, len(captured.captured_queries)


def _mandate_rows(mandates):
    return [
        (m.pk, m.effective_from, sorted(a.pk for a in m.administrations.all())) for m in mandates
    ]


def test_a_municipalitys_mandates_are_read_once_until_a_write(transactional_db, world):
    mandate = f.MandateFactory(municipality=world.borlange)
    mandate.administrations.add(world.borlange_social)

    first, read = _queries(lambda: mandates_of(world.borlange.pk))
    again, read_again = _queries(lambda: mandates_of(world.borlange.pk))
    assert read > 0 and read_again == 0
    assert _mandate_rows(again) == _mandate_rows(first) != []

    # A new version of the mandate (a save): the next read has it.
    newer = f.MandateFactory(
        municipality=world.borlange, effective_from=mandate.effective_from.replace(year=2026)
    )
    after, read_after = _queries(lambda: mandates_of(world.borlange.pk))
    assert read_after > 0
    assert {m.pk for m in after} == {mandate.pk, newer.pk}
    # Another municipality's are its own.
    assert mandates_of(world.falun.pk) == []


def test_nothing_is_kept_inside_a_transaction(transactional_db, world):
    f.MandateFactory(municipality=world.borlange)
    with transaction.atomic():
        _first, read = _queries(lambda: mandates_of(world.borlange.pk))
        _again, read_again = _queries(lambda: mandates_of(world.borlange.pk))
    assert read > 0 and read_again == read


def test_the_open_offerings_a_manager_may_ask_for_are_the_querysets(transactional_db, world):
    participant = f.ParticipantFactory(municipality=world.borlange)
    for course in ("new", "law"):
        f.offering_for(world.courses[course], "HT2026", state=OfferingState.OPEN)
    f.offering_for(world.courses["steering"], "HT2026", state=OfferingState.PLANNED)
    progress = progress_of(participant, timezone.localdate())

    listed, read = _queries(lambda: offerings_open_to_listed(participant, progress))
    again, read_again = _queries(lambda: offerings_open_to_listed(participant, progress))
    expected = list(offerings_open_to(participant, progress))
    assert len(expected) == 2 and read > 0 and read_again == 0
    assert [o.pk for o in listed] == [o.pk for o in again] == [o.pk for o in expected]

    # The offering closes (a save): it is no longer offered.
    closing = expected[0]
    closing.state = OfferingState.CLOSED
    closing.save()
    assert [o.pk for o in offerings_open_to_listed(participant, progress)] == [expected[1].pk]


def test_users_of_different_reach_never_share_a_kept_read(world, personas):
    keys = {
        reach_key(user)
        for user in (
            personas.programme_admin,
            personas.hr_falun,
            personas.hr_borlange,
            personas.head_borlange_social,
        )
    }
    assert len(keys) == 4


def _without_tokens(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)


@pytest.mark.parametrize("page", ["own", "detail", "compliance", "list", "list-region"])
def test_a_page_from_kept_reads_is_the_page_read_fresh(
    transactional_db, client, world, personas, page
):
    for course in ("new", "law"):
        f.offering_for(world.courses[course], "HT2026", state=OfferingState.OPEN)
    mandate = f.MandateFactory(municipality=world.borlange)
    mandate.administrations.add(world.borlange_social)
    participant = personas.manager_participant
    f.pass_course(participant, world.courses["collab"], "HT2024")
    user, url = {
        "own": (personas.manager, reverse("enrolment:my_programme")),
        "detail": (
            personas.hr_borlange,
            reverse("enrolment:participant_detail", args=[participant.pk]),
        ),
        "compliance": (
            personas.hr_borlange,
            reverse("enrolment:compliance_municipality", args=[world.borlange.code]),
        ),
        "list": (personas.hr_borlange, reverse("enrolment:participant_list")),
        "list-region": (
            personas.programme_admin,
            reverse("enrolment:participant_list") + f"?municipality={world.borlange.pk}",
        ),
    }[page]
    client.force_login(user)
    fresh, fresh_queries = _queries(lambda: client.get(url))
    kept, kept_queries = _queries(lambda: client.get(url))
    assert fresh.status_code == kept.status_code == 200
    assert _without_tokens(kept.content.decode()) == _without_tokens(fresh.content.decode())
    assert kept_queries < fresh_queries


def test_the_list_offers_a_new_administration_at_the_next_read(
    transactional_db, client, world, personas
):
    client.force_login(personas.programme_admin)
    url = reverse("enrolment:participant_list")
    before = client.get(url).content.decode()
    f.AdministrationFactory(municipality=world.falun, name="Nyinrättad förvaltning")
    after = client.get(url)
    assert "Nyinrättad förvaltning" not in before
    assert "Nyinrättad förvaltning" in after.content.decode()
    # Chosen, it filters by the queryset, so an administration out of reach is refused.
    elsewhere = f.MunicipalityFactory(region=f.RegionFactory(county_code="21", name="Gävleborg"))
    outside = f.AdministrationFactory(municipality=elsewhere, name="Annan region")
    refused = client.get(url, {"administration": outside.pk})
    assert "Annan region" not in refused.content.decode()
    assert "is-invalid" in refused.content.decode()


def test_a_request_reads_the_generation_once_and_again_after_its_own_write(db):
    from django.core.cache import cache
    from django.core.signals import request_finished, request_started

    from portal import daycache

    outside = daycache.generation()
    cache.set(daycache.generation_key(), "written-by-another-process", None)
    # Outside a request (a worker, a command) every read asks the cache.
    assert daycache.generation() == "written-by-another-process" != outside

    try:
        request_started.send(sender=None)
        first = daycache.generation()
        cache.set(daycache.generation_key(), "written-meanwhile", None)
        assert daycache.generation() == first == "written-by-another-process"
        # The request's own write is seen at once.
        daycache.figures_changed()
        own = daycache.generation()
        assert own not in (first, "written-meanwhile")
        assert own == cache.get(daycache.generation_key())
    finally:
        request_finished.send(sender=None)
    cache.set(daycache.generation_key(), "after", None)
    assert daycache.generation() == "after"


def test_a_generation_never_comes_back_after_the_key_is_lost(db):
    from django.core.cache import cache

    from portal import daycache

    seen = set()
    for _ in range(20):
        daycache.figures_changed()
        seen.add(daycache.generation())
        cache.delete(daycache.generation_key())  # evicted, or Redis restarted
        seen.add(daycache.generation())
    assert len(seen) == 40


def test_one_municipalitys_compliance_reads_the_mandates_its_managers_pages_keep(
    transactional_db, world
):
    from enrolment.compliance import _mandates

    mandate = f.MandateFactory(municipality=world.borlange)
    mandate.administrations.add(world.borlange_social)
    kept_list, read = _queries(lambda: mandates_of(world.borlange.pk))
    (by_municipality, in_force), again = _queries(
        lambda: _mandates([world.borlange], timezone.localdate())
    )
    assert read > 0 and again == 0
    assert _mandate_rows(by_municipality[world.borlange.pk]) == _mandate_rows(kept_list)
    assert in_force[world.borlange.pk].pk == mandate.pk


def test_a_write_while_the_cache_is_unreachable_moves_the_generation_once_it_is_back(db, settings):
    """Values kept before an outage are never read after it as if nothing had been
    written meanwhile: the write that could not tell the cache moves the generation at
    the process's next read."""
    from django.core.cache import cache

    from portal import daycache

    before = daycache.generation()
    reachable = settings.CACHES
    settings.CACHES = {
        "default": {
            **reachable["default"],
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {**reachable["default"]["OPTIONS"], "SOCKET_CONNECT_TIMEOUT": 0.2},
        }
    }
    try:
        daycache.figures_changed()  # the write during the outage
        # While it lasts, every read is a new generation: nothing kept is read.
        assert daycache.generation() != daycache.generation()
    finally:
        settings.CACHES = reachable
    assert cache.get(daycache.generation_key()) == before  # Redis never heard of it
    after = daycache.generation()
    assert after != before
    assert cache.get(daycache.generation_key()) == after
    assert daycache.generation() == after  # moved once, not at every read


def test_a_regional_start_pages_table_is_kept_until_a_write_and_per_reach(
    client, world, personas, gavleborg_personas
):
    """The council's and the programme administrator's start pages count a whole region:
    read once, then from the cache, the same page; a new manager shows at the next read;
    another region's council gets its own table."""
    for _ in range(6):
        f.ParticipantFactory(municipality=world.falun, administration=world.falun_social)
    url = reverse("portal:council")
    client.force_login(personas.council)
    first, first_queries = _queries(lambda: client.get(url))
    again, again_queries = _queries(lambda: client.get(url))
    assert first.status_code == again.status_code == 200
    assert again_queries < first_queries
    assert _without_tokens(again.content.decode()) == _without_tokens(first.content.decode())
    managers = first.context["table"].total.managers
    assert managers >= 6

    f.ParticipantFactory(municipality=world.falun, administration=world.falun_social)
    assert client.get(url).context["table"].total.managers == managers + 1

    client.force_login(gavleborg_personas.council)
    other = client.get(url).context["table"]
    assert [row.label for row in other.rows] != [row.label for row in first.context["table"].rows]
