"""The council's key figures, checked against a small region counted by hand.

The day is 2026-11-22. Terms start 19 January (VT) and 28 August (HT). The managers:

    who  where     history (course term result)                            left
    A    Borlänge  new HT22 G, steering VT23 G, law HT23 G, systems VT24 G     –
    B    Borlänge  new HT22 G, steering VT23 G, slot 3 credit transfer
                   2023-09-01, systems VT24 G                               2024-03-01
    C    Borlänge  new HT22 G, steering VT23 U, steering VT24 G,
                   law HT24 G, systems VT25 G                                  –
    D    Falun     new HT22 U                                               2023-06-01
    E    Falun     collab HT23 G, steering VT24 G, law HT24 G, systems VT25 G  –
    F    Falun     new HT23 G, then exempted from the whole programme          –
    G    Borlänge  new HT24 G, steering VT25 G                              2025-08-28
    H    Borlänge  new HT25 G (no credits recorded: the course's 7.5 count)    –
    I    Falun     new HT26 registered                                         –
    J    Falun     new VT27 nominated (not started)                            –
    K    Borlänge  new HT25 withdrawn                                          –

Completion within 2 years (first course on or before 2024-11-22; F exempt, left out):
A yes (done 2024-06-03), B yes (2024-06-03, with the credit transfer), C no (2025-06-05),
D no, E yes (2025-06-05 ≤ 2025-08-28), G no → 3 of 6.
Within 3 years (first course on or before 2023-11-22): A, B, C (2025-06-05 ≤ 2025-08-28)
and E yes, D no → 4 of 5.
Retention after 12 months (first course on or before 2025-11-22: A–H): D left before
2023-08-28, G left on 2025-08-28, the day itself; the others stayed → 6 of 8.
After 24 months (first course on or before 2024-11-22: A–G): B left 2024-03-01 before
2024-08-28, D and G left → 4 of 7.
Pass rate: new 6 of 7 (D failed), collab 1 of 1, steering 5 of 6 (C failed once), law 3 of
3, systems 4 of 4.
"""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from enrolment.compliance import Status, region_compliance
from enrolment.models import CreditTransferKind, Enrolment, EnrolmentState, Participant
from enrolment.progress import progress_for, with_completion_date
from portal.accounts.models import Role
from programmes.models import OfferingState, Region
from programmes.terms import Term
from reporting.evaluations.models import EvaluationRound, Questionnaire
from reporting.evaluations.pending import pending_release
from reporting.evaluations.services import response_submit
from reporting.followup.figures import Cell, Ratio, key_figures
from tests import factories as f
from tests.enrolment.test_facts_properties import (  # noqa: F401 (scene is a fixture)
    EXAMPLES,
    _write,
    days,
    in_savepoint,
    manager_st,
    scene,
)

ON = date(2026, 11, 22)
S = EnrolmentState
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


def _enrol(participant, course, term, state, result_date=None, credits=Decimal("7.5")):
    offering = f.offering_for(course, term, state=OfferingState.FINISHED)
    grade = {S.PASSED: "G", S.FAILED: "U"}.get(state, "")
    return f.EnrolmentFactory(
        participant=participant,
        offering=offering,
        state=state,
        grade=grade,
        credits=credits if state == S.PASSED else None,
        result_date=result_date or (offering.end_date if state in (S.PASSED, S.FAILED) else None),
    )


@pytest.fixture
def region(world):
    c = world.courses
    people = {}

    def manager(key, municipality, left_on=None):
        people[key] = f.ParticipantFactory(
            municipality=municipality,
            first_name="Hemlig",
            last_name=f"Person{key}",
            appointed_on=date(2022, 1, 1),
            left_on=left_on,
        )
        return people[key]

    a = manager("A", world.borlange)
    for course, term in (("new", "HT2022"), ("steering", "VT2023"), ("law", "HT2023")):
        _enrol(a, c[course], term, S.PASSED)
    _enrol(a, c["systems"], "VT2024", S.PASSED, date(2024, 6, 3))

    b = manager("B", world.borlange, left_on=date(2024, 3, 1))
    _enrol(b, c["new"], "HT2022", S.PASSED)
    _enrol(b, c["steering"], "VT2023", S.PASSED)
    f.CreditTransferFactory(participant=b, slot=world.slots[2], decided_on=date(2023, 9, 1))
    _enrol(b, c["systems"], "VT2024", S.PASSED, date(2024, 6, 3))

    cc = manager("C", world.borlange)
    _enrol(cc, c["new"], "HT2022", S.PASSED)
    _enrol(cc, c["steering"], "VT2023", S.FAILED)
    _enrol(cc, c["steering"], "VT2024", S.PASSED)
    _enrol(cc, c["law"], "HT2024", S.PASSED)
    _enrol(cc, c["systems"], "VT2025", S.PASSED, date(2025, 6, 5))

    d = manager("D", world.falun, left_on=date(2023, 6, 1))
    _enrol(d, c["new"], "HT2022", S.FAILED)

    e = manager("E", world.falun)
    _enrol(e, c["collab"], "HT2023", S.PASSED)
    _enrol(e, c["steering"], "VT2024", S.PASSED)
    _enrol(e, c["law"], "HT2024", S.PASSED)
    _enrol(e, c["systems"], "VT2025", S.PASSED, date(2025, 6, 5))

    ff = manager("F", world.falun)
    _enrol(ff, c["new"], "HT2023", S.PASSED)
    f.CreditTransferFactory(
        participant=ff,
        programme=world.programme,
        slot=None,
        kind=CreditTransferKind.EXEMPTION,
        decided_on=date(2024, 2, 1),
    )

    g = manager("G", world.borlange, left_on=date(2025, 8, 28))
    _enrol(g, c["new"], "HT2024", S.PASSED)
    _enrol(g, c["steering"], "VT2025", S.PASSED)

    h = manager("H", world.borlange)
    _enrol(h, c["new"], "HT2025", S.PASSED, credits=None)

    i = manager("I", world.falun)
    f.EnrolmentFactory(
        participant=i,
        offering=f.offering_for(c["new"], "HT2026", state=OfferingState.RUNNING),
        state=S.REGISTERED,
    )
    j = manager("J", world.falun)
    f.EnrolmentFactory(
        participant=j,
        offering=f.offering_for(c["new"], "VT2027", state=OfferingState.OPEN),
        state=S.NOMINATED,
    )
    k = manager("K", world.borlange)
    _enrol(k, c["new"], "HT2025", S.WITHDRAWN)

    f.MandateFactory(municipality=world.borlange)
    return people


def _row(grid, name):
    return next(row for row in grid if row.label == name)


def test_retention_after_12_and_24_months(world, region):
    kf = key_figures(region=world.region, on=ON)
    retention = {c.months: (c.ratio.part, c.ratio.whole) for c in kf.retention}
    assert retention == {12: (6, 8), 24: (4, 7)}


def test_completion_within_two_and_three_years(world, region):
    kf = key_figures(region=world.region, on=ON)
    completion = {c.months: (c.ratio.part, c.ratio.whole) for c in kf.completion}
    assert completion == {24: (3, 6), 36: (4, 5)}


def test_pass_rate_per_course(world, region):
    kf = key_figures(region=world.region, on=ON)
    rates = {c.course.title: (c.passed, c.failed) for c in kf.courses}
    assert rates == {
        "Ny som ledare": (6, 1),
        "Ledarskap för effektivt samarbete": (1, 0),
        "Kommunal styrning och förändringsarbete": (5, 1),
        "Ledarskapets juridik": (3, 0),
        "Styrsystem och utveckling": (4, 0),
    }
    new = next(c for c in kf.courses if c.course.title == "Ny som ledare")
    assert new.pass_rate.percent == 86


def test_managers_trained_per_municipality_and_term(world, region):
    kf = key_figures(region=world.region, on=ON)
    assert [str(t) for t in kf.terms] == [
        "HT2022",
        "VT2023",
        "HT2023",
        "VT2024",
        "HT2024",
        "VT2025",
        "HT2025",
        "VT2026",
        "HT2026",
    ]
    borlange = _row(kf.trained, "Borlänge")
    falun = _row(kf.trained, "Falun")
    assert [c.value for c in borlange.cells] == [3, 3, 1, 3, 2, 2, 1, 0, 0]
    assert [c.value for c in falun.cells] == [1, 0, 2, 1, 1, 1, 0, 0, 1]
    assert [c.value for c in kf.trained_total.cells] == [4, 3, 3, 4, 3, 3, 1, 0, 1]
    # Each manager once: A, B, C, G, H in Borlänge; D, E, F, I in Falun.
    assert (borlange.total.value, falun.total.value, kf.trained_total.total.value) == (5, 4, 9)


def test_hp_produced_per_term_and_municipality(world, region):
    kf = key_figures(region=world.region, on=ON)
    borlange = _row(kf.credits, "Borlänge")
    falun = _row(kf.credits, "Falun")
    ht2022 = kf.terms.index(Term.parse("HT2022"))
    ht2023 = kf.terms.index(Term.parse("HT2023"))
    assert borlange.cells[ht2022] == Cell(Decimal("22.5"), 3)
    assert falun.cells[ht2023] == Cell(Decimal("15.0"), 2)
    # Credit transfers produce no hp: B has 22.5, not 30; H's pass counts the course's 7.5.
    assert borlange.total == Cell(Decimal("105.0"), 5)
    assert falun.total == Cell(Decimal("37.5"), 2)
    assert kf.credits_total.total == Cell(Decimal("142.5"), 7)


def test_compliance_share_counts_completed_exempt_and_on_track(world, region):
    kf = key_figures(region=world.region, on=ON)
    (borlange,) = region_compliance(region=world.region, on=ON)[:1]
    counts = borlange.counts
    (figure,) = kf.compliance
    assert figure.municipality == world.borlange
    assert figure.ratio == Ratio(
        counts[Status.COMPLETED] + counts[Status.EXEMPT] + counts[Status.ON_TRACK],
        borlange.total,
    )
    assert kf.compliance_total == figure.ratio


def test_small_groups_are_hidden_and_their_shares_too():
    assert Cell(3, 3).shown == "<5"
    assert Cell(0, 0).shown == 0
    assert Cell(Decimal("22.5"), 3).shown == "<5"
    assert Cell(Decimal("37.5"), 5).shown == Decimal("37.5")
    assert Ratio(3, 6).shown_part == "<5"
    assert Ratio(3, 6).shown_share == "<5"
    assert Ratio(3, 6).percent is None
    assert Ratio(0, 3).shown_share == "<5"
    assert Ratio(6, 7).shown_share == "86 %"
    assert Ratio(6, 8).shown_share == "75 %"
    assert Ratio(0, 0).shown_share == "–"


def test_page_shows_no_count_of_one_to_four(client, world, personas, region):
    client.force_login(personas.council)
    response = client.get(reverse("followup:key_figures"))
    html = response.content.decode()
    falun = html.index('data-municipality="2080"')
    falun_row = html[falun : html.index("</tr>", falun)]
    assert "&lt;5" in falun_row
    assert ">1<" not in falun_row and ">2<" not in falun_row
    retention = html[html.index('data-table="retention"') :]
    retention = retention[: retention.index("</table>")]
    # 6 of 8 after 12 months: the two who left are a small group, so 6 is withheld.
    assert "75 %" not in retention and ">6<" not in retention
    assert "&lt;5" in retention  # 4 of 7 after 24 months
    assert "57 %" not in retention
    assert "Hemlig" not in html and "PersonA" not in html


def test_export_holds_the_same_figures_with_small_groups_hidden(client, world, personas, region):
    client.force_login(personas.programme_admin)
    response = client.get(reverse("followup:key_figures_export", args=["csv"]))
    assert response["Content-Disposition"].startswith('attachment; filename="nyckeltal-')
    lines = response.content.decode("utf-8-sig").splitlines()
    rows = [line.split(";") for line in lines[1:]]
    # Retention after 12 months (6 of 8) would give away the two who left; after 24
    # months (4 of 7) is hidden.
    assert ["x", "8", ""] in [r[5:] for r in rows]
    assert ["<5", "7", ""] in [r[5:] for r in rows]
    assert not [r for r in rows if r[7] == "57"]
    # Borlänge HT2022: three managers trained and 22.5 hp by three people. Most cells of
    # the grid are that small, so the file holds the coarser tables instead: each
    # municipality over all terms, and the region per term.
    assert not [r for r in rows if r[2] == "Borlänge" and r[3] == "HT2022"]
    assert [r for r in rows if r[2] == "Borlänge" and r[3] == "Alla terminer"]
    assert [r for r in rows if r[2] == "Regionen" and r[3] == "HT2022"]
    assert "Hemlig" not in response.content.decode("utf-8-sig")
    xlsx = client.get(reverse("followup:key_figures_export", args=["xlsx"]))
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_evaluation_means_are_region_wide_and_hidden_under_five(world, region):
    questionnaire = Questionnaire.objects.create(title="Kort", region=world.region)
    statement = questionnaire.questions.create(position=1, text="Bra kurs", kind="likert")
    offering = f.offering_for(world.courses["law"], "VT2026")
    evaluation = EvaluationRound.objects.create(
        offering=offering, questionnaire=questionnaire, opens_on=ON, closes_on=ON
    )
    for value in (5, 4, 4, 3):
        p = f.ParticipantFactory(municipality=world.falun)
        f.EnrolmentFactory(participant=p, offering=offering, state=S.REGISTERED)
        response_submit(
            evaluation_round=evaluation, participant=p, answers={statement.pk: value}, on=ON
        )
    pending_release(evaluation_round=evaluation, closing=True)
    (hidden,) = key_figures(region=world.region, on=ON).evaluation
    assert hidden.hidden and hidden.mean is None
    p = f.ParticipantFactory(municipality=world.borlange)
    f.EnrolmentFactory(participant=p, offering=offering, state=S.REGISTERED)
    response_submit(evaluation_round=evaluation, participant=p, answers={statement.pk: 4}, on=ON)
    pending_release(evaluation_round=evaluation, closing=True)
    (shown,) = key_figures(region=world.region, on=ON).evaluation
    assert (shown.answers, shown.mean) == (5, Decimal("4.0"))


# --- Scope -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        reverse("followup:key_figures"),
        reverse("followup:key_figures_export", args=["csv"]),
        reverse("followup:key_figures_export", args=["xlsx"]),
    ],
    ids=["page", "csv", "xlsx"],
)
@pytest.mark.parametrize("persona", sorted(ALL))
def test_key_figures_are_for_the_council_and_programme_administrators(
    client, personas, url, persona
):
    client.force_login(personas.all()[persona])
    response = client.get(url)
    expected = 200 if persona in {"programme_admin", "council"} else 404
    assert response.status_code == expected


@pytest.mark.parametrize(
    "url",
    [
        reverse("followup:key_figures"),
        reverse("followup:key_figures_export", args=["csv"]),
    ],
)
def test_anonymous_users_are_sent_to_log_in_from_key_figures(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_unknown_export_format_is_404(client, personas):
    client.force_login(personas.council)
    assert client.get("/uppfoljning/nyckeltal.pdf").status_code == 404


def test_council_of_another_region_sees_only_its_own_region(client, world, region):
    other = f.RegionFactory(county_code="21", name="Region Gävleborg", short_name="RG")
    user = f.UserFactory(email="rad@rg.se")
    f.RoleAssignmentFactory(user=user, role=Role.COUNCIL, region=other)
    client.force_login(user)
    response = client.get(reverse("followup:key_figures"))
    assert response.context["section"]["kf"].region == other
    html = response.content.decode()
    assert html.count('<section aria-labelledby="region-') == 1
    assert "Borlänge" not in html


# --- A constant number of queries -------------------------------------------------------


def _populate(world, size):
    """`size` managers per municipality with histories, transfers, leavers and answers."""
    c = world.courses
    questionnaire = Questionnaire.objects.create(title="Kort", region=world.region)
    statement = questionnaire.questions.create(position=1, text="Bra kurs", kind="likert")
    offering = f.offering_for(c["new"], "HT2024", state=OfferingState.FINISHED)
    evaluation = EvaluationRound.objects.create(
        offering=offering, questionnaire=questionnaire, opens_on=ON, closes_on=ON
    )
    for municipality in (world.falun, world.borlange):
        for n in range(size):
            p = f.ParticipantFactory(
                municipality=municipality,
                appointed_on=date(2022, 1, 1),
                left_on=date(2025, 1, 1) if n % 4 == 0 else None,
            )
            _enrol(p, c["new"], "HT2024", S.PASSED if n % 3 else S.FAILED)
            if n % 3:
                _enrol(p, c["steering"], "VT2025", S.PASSED)
            if n % 5 == 0:
                f.CreditTransferFactory(participant=p, slot=world.slots[2])
            response_submit(
                evaluation_round=evaluation, participant=p, answers={statement.pk: 4}, on=ON
            )
    pending_release(evaluation_round=evaluation, closing=True)
    f.MandateFactory(municipality=world.borlange)
    f.MandateFactory(municipality=world.falun)


@pytest.mark.parametrize("size", [5, 60])
def test_key_figure_page_runs_in_a_constant_number_of_queries(
    client, world, personas, django_assert_max_num_queries, size
):
    _populate(world, size)
    client.force_login(personas.council)
    # The compliance figures read the deadline decisions in one query; the grids, the
    # cohorts and the pass rates each ask whether the stored counts serve today.
    with django_assert_max_num_queries(28):
        response = client.get(reverse("followup:key_figures"))
    assert response.status_code == 200
    assert len(response.context["sections"]) == 1
    assert response.context["section"]["kf"].trained_total.total.value == 2 * size


@pytest.mark.parametrize("participants", [20, 150])
def test_key_figures_on_seed_scale_data_run_in_a_constant_number_of_queries(
    client, db, django_assert_max_num_queries, participants
):
    call_command("seed_scale", municipalities=3, participants=participants, verbosity=0)
    region = Region.objects.get(county_code="99")
    user = f.UserFactory(email="rad@syntetisk.se")
    f.RoleAssignmentFactory(user=user, role=Role.COUNCIL, region=region)
    client.force_login(user)
    # The compliance figures read the deadline decisions in one query; the grids, the
    # cohorts and the pass rates each ask whether the stored counts serve today.
    with django_assert_max_num_queries(28):
        response = client.get(reverse("followup:key_figures"))
    assert response.status_code == 200
    assert len(response.context["sections"]) == 1
    section = response.context["section"]
    assert section["kf"].region == region
    assert section["kf"].trained_total.total.value > 0


# --- The completion date in SQL is the one progress gives ------------------------------


@EXAMPLES
@given(managers=st.lists(manager_st, min_size=1, max_size=3), on=days)
def test_completion_date_in_sql_is_the_one_progress_gives(scene, managers, on):  # noqa: F811
    """Random histories (passes dated, undated and dated after the day, corrections, slot
    and whole-programme decisions): for a manager complete by courses and slot decisions,
    SQL's `completed_on` is `Progress.completed_on`; for anyone else it is NULL, and the
    exemption is the same in both."""

    def check():
        people = _write(scene, managers, [])
        progress = progress_for(people, on)
        rows = with_completion_date(Participant.objects.filter(pk__in=[p.pk for p in people]), on)
        for pk, exempt, completed_on in rows.values_list("pk", "programme_exempt", "completed_on"):
            mine = progress[pk]
            assert exempt == mine.exempt_from_programme
            by_courses = mine.is_complete and not mine.exempt_from_programme
            assert completed_on == (mine.completed_on if by_courses else None), (mine, on)

    in_savepoint(check)


# --- Kept for the day until a write ----------------------------------------------------


def _trained(client) -> str:
    """The region's count of managers trained, as the page prints it."""
    response = client.get(reverse("followup:key_figures"))
    assert response.status_code == 200
    html = response.content.decode()
    grid = html[html.index('data-grid="trained"') :]
    row = grid[
        grid.index('<tr data-municipality="region">') : grid.index(
            "</tr>", grid.index('<tr data-municipality="region">')
        )
    ]
    return re.findall(r'<td class="text-end">([^<]*)</td>', row)[-1]


def test_key_figures_are_kept_until_a_manager_takes_a_course(
    client, world, personas, region, django_assert_max_num_queries
):
    client.force_login(personas.council)
    before = _trained(client)
    # Kept: the second view reads the rendered figures from the cache, not the region.
    with django_assert_max_num_queries(7):
        assert _trained(client) == before
    # A manager takes a course (a save): the next view counts them.
    person = f.ParticipantFactory(municipality=world.falun, appointed_on=date(2022, 1, 1))
    _enrol(person, world.courses["new"], "HT2024", S.PASSED)
    assert int(_trained(client)) == int(before) + 1


def test_key_figures_count_managers_inserted_in_bulk(client, world, personas, region):
    """A bulk insert sends no signal (the participant import uses one): new rows still
    make new figures."""
    offering = f.offering_for(world.courses["new"], "HT2024", state=OfferingState.FINISHED)
    client.force_login(personas.council)
    before = _trained(client)
    person = f.ParticipantFactory.build(municipality=world.falun, appointed_on=date(2022, 1, 1))
    Participant.objects.bulk_create([person])
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                participant=person,
                offering=offering,
                slot_id=offering.course.slot_id,
                state=S.PASSED,
                grade="G",
                result_date=offering.end_date,
            )
        ]
    )
    assert int(_trained(client)) == int(before) + 1


def test_a_commit_moves_the_figures_on_again(django_capture_on_commit_callbacks, world):
    """Figures made while a write was not yet committed are not read after it commits."""
    from portal.daycache import generation_key

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        f.ParticipantFactory(municipality=world.falun)
    at_write = cache.get(generation_key())
    for callback in callbacks:
        callback()
    assert cache.get(generation_key()) != at_write


def test_the_kept_page_is_kept_per_language(client, world, personas, region):
    """The rendered figures are kept per language: a council member who reads in English
    after a colleague read in Swedish gets the English page."""
    client.force_login(personas.council)
    swedish = client.get(reverse("followup:key_figures")).content.decode()
    assert "Utbildade chefer" in swedish
    personas.council.preferred_language = "en"
    personas.council.save()
    english = client.get(reverse("followup:key_figures")).content.decode()
    assert "Managers trained" in english and "Utbildade chefer" not in english
