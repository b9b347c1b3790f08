"""Intake planning, checked against an example worked by hand.

The day is 2026-11-22, in HT2026, so the first term anyone can start is VT2027. Term ends:
VT2027 2027-06-07, HT2027 2028-01-18, VT2028 2028-06-07, HT2028 2029-01-18,
VT2029 2029-06-07.

Borlänge's mandate (from 2025-07-01): complete within 36 months, no start deadline.

    who  appointed   deadline    missing  last term ending by it  latest start
    M1   2025-09-15  2028-09-15  4        VT2028                  HT2026 → next: VT2027
    M2   2026-03-01  2029-03-01  4        HT2028                  VT2027
    M3   2026-09-01  2029-09-01  4        VT2029                  HT2027
    M4   2026-09-01  2029-09-01  4        VT2029                  HT2027
    M5   2026-11-01  2029-11-01  4        VT2029                  HT2027
    M6   2026-03-01  2029-03-01  3 (slot 1 credit transferred)     HT2027
    M10  2026-03-01  2029-03-01  4, only nominated for VT2027      VT2027
    M7 completed, M8 exempt: done. M9 registered on HT2026 and Z admitted for VT2027:
    already begun. A manager who left is out of scope.

Falun's mandate (from 2025-07-01): start within 12 months, complete within 36.

    F1   2026-10-01  start by 2027-10-01 → HT2027; complete 2029-10-01 → HT2027
    F2   2026-11-01  start by 2027-11-01 → HT2027; complete 2029-11-01 → HT2027
    F3   2025-12-01  start by 2026-12-01 → HT2026, passed → VT2027

Must start: VT2027 Borlänge 3, Falun 1, region 4; HT2027 Borlänge 4, Falun 2, region 6.

Seats on the first course: VT2027 Ny som ledare 2 + Ledarskap för effektivt samarbete 2
= 4, one taken by Z → 3 free, short by 1. HT2027 Ny som ledare 20 (the closed offering of
the other alternative does not count) → 20 free. Cumulative: 4 > 3 by VT2027, 10 ≤ 23 by
HT2027.
"""

import re
from datetime import date
from html import unescape

import pytest
from django.urls import reverse

from enrolment.models import CreditTransferKind, EnrolmentState
from programmes.models import OfferingState
from programmes.terms import Term
from reporting.followup.planning import (
    intake_plan,
    last_term_ending_by,
    last_term_starting_by,
    latest_start,
    next_term_index,
    region_intake_plan,
)
from tests import factories as f
from tests.budgets import STANDING_REFRESH

ON = date(2026, 11, 22)
S = EnrolmentState
T = Term.parse
ALL = {
    "programme_admin",
    "hr_falun",
    "hr_borlange",
    "head_borlange",
    "head_borlange_social",
    "council",
    "manager",
    "no_role",
}


def test_term_arithmetic():
    assert next_term_index(ON) == T("VT2027").index
    assert next_term_index(date(2027, 1, 10)) == T("VT2027").index
    assert next_term_index(date(2027, 1, 19)) == T("HT2027").index
    assert last_term_ending_by(date(2028, 9, 15)) == T("VT2028").index
    assert last_term_ending_by(date(2029, 1, 18)) == T("HT2028").index
    assert last_term_ending_by(date(2029, 1, 17)) == T("VT2028").index
    assert last_term_starting_by(date(2027, 10, 1)) == T("HT2027").index
    assert last_term_starting_by(date(2027, 8, 27)) == T("VT2027").index


def test_latest_start_from_the_deadlines():
    assert latest_start(missing=4, complete_by=date(2029, 3, 1), start_by=None) == (
        T("VT2027").index
    )
    assert latest_start(missing=3, complete_by=date(2029, 3, 1), start_by=None) == (
        T("HT2027").index
    )
    assert latest_start(missing=4, complete_by=date(2029, 9, 1), start_by=date(2027, 3, 1)) == (
        T("VT2027").index
    )
    assert latest_start(missing=4, complete_by=None, start_by=None) is None


def _manager(municipality, appointed, **fields):
    return f.ParticipantFactory(municipality=municipality, appointed_on=appointed, **fields)


@pytest.fixture
def example(world):
    c = world.courses
    borlange, falun = world.borlange, world.falun
    f.MandateFactory(municipality=borlange, start_within_months=None, complete_within_months=36)
    f.MandateFactory(municipality=falun, start_within_months=12, complete_within_months=36)

    new_vt27 = f.OfferingFactory(course=c["new"], term="VT2027", seats=2, state=OfferingState.OPEN)
    collab_vt27 = f.OfferingFactory(
        course=c["collab"], term="VT2027", seats=2, state=OfferingState.OPEN
    )
    f.OfferingFactory(course=c["new"], term="HT2027", seats=20, state=OfferingState.PLANNED)
    f.OfferingFactory(course=c["collab"], term="HT2027", seats=10, state=OfferingState.CLOSED)
    f.OfferingFactory(course=c["steering"], term="VT2027", seats=30, state=OfferingState.OPEN)
    running = f.OfferingFactory(course=c["new"], term="HT2026", state=OfferingState.RUNNING)

    _manager(borlange, date(2025, 9, 15), last_name="M1")
    _manager(borlange, date(2026, 3, 1), last_name="M2")
    _manager(borlange, date(2026, 9, 1), last_name="M3")
    _manager(borlange, date(2026, 9, 1), last_name="M4")
    _manager(borlange, date(2026, 11, 1), last_name="M5")
    m6 = _manager(borlange, date(2026, 3, 1), last_name="M6")
    f.CreditTransferFactory(participant=m6, slot=world.slots[0], decided_on=date(2026, 4, 1))
    m7 = _manager(borlange, date(2022, 1, 1), last_name="M7")
    for course, term in (
        ("new", "HT2022"),
        ("steering", "VT2023"),
        ("law", "HT2023"),
        ("systems", "VT2024"),
    ):
        f.pass_course(m7, c[course], term)
    m8 = _manager(borlange, date(2024, 1, 1), last_name="M8")
    f.CreditTransferFactory(
        participant=m8,
        programme=world.programme,
        slot=None,
        kind=CreditTransferKind.EXEMPTION,
        decided_on=date(2025, 1, 1),
    )
    m9 = _manager(borlange, date(2026, 3, 1), last_name="M9")
    f.EnrolmentFactory(participant=m9, offering=running, state=S.REGISTERED)
    m10 = _manager(borlange, date(2026, 3, 1), last_name="M10")
    f.EnrolmentFactory(participant=m10, offering=new_vt27, state=S.NOMINATED)
    z = _manager(borlange, date(2026, 3, 1), last_name="Z")
    f.EnrolmentFactory(participant=z, offering=collab_vt27, state=S.ADMITTED)
    _manager(borlange, date(2026, 3, 1), last_name="Left", left_on=date(2026, 6, 1))

    _manager(falun, date(2026, 10, 1), last_name="F1")
    _manager(falun, date(2026, 11, 1), last_name="F2")
    _manager(falun, date(2025, 12, 1), last_name="F3")
    return world


def _starts(plan, name):
    row = next(r for r in plan.rows if r.municipality.name == name)
    return {str(t): n for t, n in zip(plan.terms, row.starts(plan.terms), strict=True) if n}


def test_hand_worked_example_gives_the_starts_per_term(example):
    plan = region_intake_plan(region=example.region, on=ON)
    assert [str(t) for t in plan.terms] == [
        "VT2027",
        "HT2027",
        "VT2028",
        "HT2028",
        "VT2029",
        "HT2029",
    ]
    assert _starts(plan, "Borlänge") == {"VT2027": 3, "HT2027": 4}
    assert _starts(plan, "Falun") == {"VT2027": 1, "HT2027": 2}
    borlange = next(r for r in plan.rows if r.municipality.name == "Borlänge")
    assert (borlange.in_scope, borlange.done, borlange.begun) == (11, 2, 2)
    assert borlange.cumulative(plan.terms)[:3] == [3, 7, 7]
    total = plan.total
    assert total.starts(plan.terms) == [4, 6, 0, 0, 0, 0]
    assert total.cumulative(plan.terms) == [4, 10, 10, 10, 10, 10]


def test_hand_worked_example_flags_the_term_short_of_seats(example):
    plan = region_intake_plan(region=example.region, on=ON)
    vt27, ht27, vt28 = plan.needs[:3]
    assert (vt27.seats.seats, vt27.seats.taken, vt27.seats.free) == (4, 1, 3)
    assert vt27.short and vt27.shortfall == 1 and vt27.short_cumulative
    assert (ht27.seats.seats, ht27.seats.free) == (20, 20)
    assert not ht27.short and not ht27.short_cumulative
    assert (vt28.need, vt28.seats.seats, vt28.short) == (0, 0, False)
    assert plan.short_terms == [T("VT2027")]


def test_a_municipality_without_a_mandate_has_no_row(example, world):
    other = f.MunicipalityFactory(region=world.region, name="Leksand", code="2029")
    _manager(other, date(2026, 3, 1))
    plan = region_intake_plan(region=world.region, on=ON)
    assert [r.municipality.name for r in plan.rows] == ["Borlänge", "Falun"]


def test_starts_beyond_the_horizon_are_counted_later(example):
    plan = region_intake_plan(region=example.region, on=ON, horizon=1)
    borlange = next(r for r in plan.rows if r.municipality.name == "Borlänge")
    assert borlange.starts(plan.terms) == [3]
    assert borlange.later == 4


def test_hr_plan_holds_only_the_managers_they_reach(example, world):
    from django.db.models import Q

    plan = intake_plan(
        municipalities=[world.falun],
        region_ids=[world.region.pk],
        on=ON,
        participant_filter=Q(municipality=world.falun),
    )
    assert [r.municipality for r in plan.rows] == [world.falun]
    assert _starts(plan, "Falun") == {"VT2027": 1, "HT2027": 2}


# --- The page --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", sorted(ALL))
def test_intake_planning_answers_each_persona_by_scope(client, personas, example, persona):
    client.force_login(personas.all()[persona])
    response = client.get(reverse("followup:intake_planning"))
    allowed = {"programme_admin", "council", "hr_falun", "hr_borlange"}
    assert response.status_code == (200 if persona in allowed else 404)
    export = client.get(reverse("followup:intake_planning_export", args=["csv"]))
    assert export.status_code == (200 if persona in allowed else 404)


def test_anonymous_users_are_sent_to_log_in_from_intake_planning(client, db):
    for url in (
        reverse("followup:intake_planning"),
        reverse("followup:intake_planning_export", args=["xlsx"]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


def _page_starts(response) -> dict[str, list[str]]:
    """The page's table of who must start per term, as it reads: each row's label (the
    total's too) with its cells (in scope, completed or exempt, begun, the terms, later,
    no deadline)."""
    html = response.content.decode()
    table = html[html.index('data-table="starts"') :]
    table = table[: table.index("</table>")]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]:
        label = re.search(r'<th scope="row">(.*?)</th>', row).group(1)
        rows[label] = [unescape(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
    return rows


def _term_starts(cells) -> list[str]:
    return cells[3:-2]


def test_hr_sees_only_their_own_municipality_and_no_regional_total(client, personas, example):
    client.force_login(personas.hr_falun)
    response = client.get(reverse("followup:intake_planning"))
    assert list(_page_starts(response)) == ["Falun"]
    html = response.content.decode()
    assert "<tfoot>" not in html and 'data-table="seats"' not in html
    assert "Borlänge" not in html
    export = client.get(reverse("followup:intake_planning_export", args=["csv"]))
    assert "Borlänge" not in export.content.decode("utf-8-sig")


def test_programme_administrator_sees_exact_counts_and_the_shortfall(client, personas, example):
    client.force_login(personas.programme_admin)
    response = client.get(reverse("followup:intake_planning"))
    # The persona's own manager (Borlänge, appointed 2023) is in scope too: VT2027.
    assert _term_starts(_page_starts(response)["Regionen"])[:2] == ["5", "6"]
    html = response.content.decode()
    vt27 = html[html.index('data-term="VT2027"') :]
    vt27 = vt27[: vt27.index("</tr>")]
    assert 'data-short="1"' in vt27
    assert 'data-short="1"' not in html[html.index('data-term="HT2027"') :].split("</tr>")[0]
    assert "<svg" in html and "<title" in html and "<desc" in html


def test_council_sees_small_counts_hidden(client, personas, example):
    client.force_login(personas.council)
    response = client.get(reverse("followup:intake_planning"))
    rows = _page_starts(response)
    assert _term_starts(rows["Falun"])[:2] == ["<5", "<5"]
    assert _term_starts(rows["Regionen"])[:2] == ["5", "6"]
    assert "M10" not in response.content.decode()


def test_the_kept_exact_plan_of_an_administrator_is_never_shown_to_the_council(
    client, personas, example
):
    """The exact section and the disclosed one are kept apart."""
    client.force_login(personas.programme_admin)
    exact = _page_starts(client.get(reverse("followup:intake_planning")))
    assert "<5" not in _term_starts(exact["Falun"])[:2]
    client.force_login(personas.council)
    assert _term_starts(_page_starts(client.get(reverse("followup:intake_planning")))["Falun"])[
        :2
    ] == [
        "<5",
        "<5",
    ]


@pytest.mark.parametrize("size", [3, 40])
def test_intake_planning_runs_in_a_constant_number_of_queries(
    client, personas, example, django_assert_max_num_queries, size
):
    for n in range(size):
        _manager(example.borlange, date(2026, 1 + n % 10, 1))
    client.force_login(personas.programme_admin)
    # The first view computes the plan (one query of it reads the tables' highest ids for
    # the cache); the next reads it from the cache.
    with django_assert_max_num_queries(17 + STANDING_REFRESH):
        response = client.get(reverse("followup:intake_planning"))
    assert response.status_code == 200
    with django_assert_max_num_queries(8):
        again = client.get(reverse("followup:intake_planning"))
    assert _page_starts(again) == _page_starts(response)
