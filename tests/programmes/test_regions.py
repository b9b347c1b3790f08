"""From one region to the nation (issue 17): a manager who moves between regions keeps
their courses, one programme given by two providers, the national programme, and the
national administrator who reads every region's aggregates and no individual."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from enrolment.compliance import Status, municipality_compliance
from enrolment.models import Enrolment, EnrolmentState, Participant
from enrolment.progress import SlotStatus, progress_of, with_programme_status
from enrolment.selectors import participants_visible_to
from enrolment.services.enrolments import nomination_problem
from enrolment.services.participants import participant_update
from portal.accounts.models import Role
from portal.accounts.scope import AGGREGATE_ROLES, PEOPLE_ROLES, reach
from programmes.models import (
    CourseEquivalence,
    CourseOffering,
    OfferingState,
    Programme,
    ProgrammeProvider,
)
from programmes.selectors import (
    offerings_for_municipality,
    offerings_visible_to,
    programmes_managed_by,
    region_programme,
    region_programmes,
)
from programmes.services import equivalence_add
from reporting.builders import national
from tests import factories as f

TODAY = date(2026, 11, 29)


# --- Credit between programmes: Borlänge (Dalarna) to Gävle (Gävleborg) ------------------


@pytest.fixture
def mover(world, personas, gavleborg):
    """A Borlänge manager with three courses passed under Dalarna's programme, and the
    Gävleborg table that holds two of them equivalent."""
    manager = f.ParticipantFactory(
        municipality=world.borlange,
        administration=world.borlange_social,
        appointed_on=date(2023, 1, 15),
        first_name="Sigrid",
        last_name="Flytt",
    )
    f.pass_course(manager, world.courses["new"], "HT2023")
    f.pass_course(manager, world.courses["steering"], "VT2024")
    f.pass_course(manager, world.courses["law"], "HT2024")
    CourseEquivalence.objects.create(
        programme=gavleborg.programme, course=world.courses["new"], slot=gavleborg.slots[0]
    )
    CourseEquivalence.objects.create(
        programme=gavleborg.programme, course=world.courses["law"], slot=gavleborg.slots[1]
    )
    return manager


def _move(manager, user, municipality, moved_on):
    participant_update(
        user=user,
        participant=manager,
        municipality=municipality,
        first_name=manager.first_name,
        last_name=manager.last_name,
        email=manager.email,
        position=manager.position,
        appointed_on=manager.appointed_on,
        moved_on=moved_on,
    )
    manager.refresh_from_db()


@pytest.fixture
def handover(world, gavleborg):
    """Who records a move between regions: someone who reaches both municipalities (the
    move is one service, with the same checks as within a region)."""
    user = f.UserFactory(email="overlamning@example.se")
    f.RoleAssignmentFactory(user=user, role=Role.HR_ADMIN, municipality=world.borlange)
    f.RoleAssignmentFactory(user=user, role=Role.HR_ADMIN, municipality=gavleborg.gavle)
    return user


def test_a_manager_who_moves_to_gavle_keeps_every_course_passed_and_gavles_table_decides_the_slots(
    mover, handover, gavleborg, world
):
    before = progress_of(mover, TODAY)
    assert before.programme == world.programme and before.slots_filled == 3
    _move(mover, handover, gavleborg.gavle, date(2025, 1, 1))

    # Every pass is kept as it was.
    assert Enrolment.objects.filter(participant=mover, state=EnrolmentState.PASSED).count() == 3
    progress = progress_of(mover, TODAY)
    assert progress.programme == gavleborg.programme
    assert [(s.status, s.course_title) for s in progress.slots] == [
        (SlotStatus.PASSED, "Ny som ledare"),
        (SlotStatus.PASSED, "Ledarskapets juridik"),
        (SlotStatus.NOT_STARTED, ""),
        (SlotStatus.NOT_STARTED, ""),
    ]
    assert progress.credits == Decimal("15.0")
    listed = with_programme_status(Participant.objects.filter(pk=mover.pk), TODAY).get()
    assert (listed.slots_filled, listed.hp) == (2, Decimal("15.0"))
    # What comes next is the first of Gävleborg's slots not filled.
    assert progress.next_slot.slot == gavleborg.slots[2]


def test_the_table_kept_by_the_administrators_changes_which_slots_fill(
    mover, handover, gavleborg, world
):
    _move(mover, handover, gavleborg.gavle, date(2025, 1, 1))
    admin = f.UserFactory(email="admin2@regiongavleborg.se")
    f.RoleAssignmentFactory(user=admin, role=Role.PROGRAMME_ADMIN, region=gavleborg.region)
    equivalence_add(
        user=admin,
        programme=gavleborg.programme,
        course=world.courses["steering"],
        slot=gavleborg.slots[3],
    )
    assert progress_of(mover, TODAY).slots_filled == 3
    # A Dalarna administrator keeps no line of Gävleborg's table.
    dalarna_admin = f.UserFactory(email="admin2@hvd.se")
    f.RoleAssignmentFactory(user=dalarna_admin, role=Role.PROGRAMME_ADMIN, region=world.region)
    with pytest.raises(Exception) as refused:
        equivalence_add(
            user=dalarna_admin,
            programme=gavleborg.programme,
            course=world.courses["systems"],
            slot=gavleborg.slots[2],
        )
    assert refused.typename == "Http404"
    # A line must name a course of another programme and a slot of this one.
    with pytest.raises(ValidationError):
        equivalence_add(
            user=admin,
            programme=gavleborg.programme,
            course=gavleborg.courses["work"],
            slot=gavleborg.slots[2],
        )


def test_after_the_move_gavle_sees_the_manager_and_borlange_no_longer_does(
    mover, handover, gavleborg, gavleborg_personas, personas
):
    _move(mover, handover, gavleborg.gavle, date(2025, 1, 1))
    assert mover in participants_visible_to(gavleborg_personas.hr_gavle)
    assert mover not in participants_visible_to(personas.hr_borlange)
    assert mover not in participants_visible_to(personas.programme_admin)


def _mandate(municipality, **fields):
    """A mandate in force since before the manager's appointment: deadlines run from the
    appointment (12 months to start, 36 to complete)."""
    return f.MandateFactory(
        municipality=municipality,
        decided_on=date(2021, 12, 1),
        effective_from=date(2022, 1, 1),
        fixed_completion_date=None,
        **fields,
    )


def test_compliance_under_gavles_mandate_keeps_the_clock_from_the_appointment(
    mover, handover, gavleborg
):
    _mandate(gavleborg.gavle)
    _move(mover, handover, gavleborg.gavle, date(2025, 1, 1))
    rows = municipality_compliance(municipality=gavleborg.gavle, on=TODAY).rows
    row = next(r for r in rows if r.participant.pk == mover.pk)
    # Appointed 2023-01-15: start within 12 months, complete within 36, as in Borlänge.
    assert (row.start_by, row.complete_by) == (date(2024, 1, 15), date(2026, 1, 15))
    assert row.status == Status.OVERDUE


def test_compliance_under_gavles_mandate_restarts_the_clock_when_the_mandate_says_so(
    mover, handover, gavleborg
):
    _mandate(gavleborg.gavle, clock_restarts_on_arrival=True)
    _move(mover, handover, gavleborg.gavle, date(2025, 1, 1))
    rows = municipality_compliance(municipality=gavleborg.gavle, on=TODAY).rows
    row = next(r for r in rows if r.participant.pk == mover.pk)
    assert (row.start_by, row.complete_by) == (date(2026, 1, 1), date(2028, 1, 1))
    assert row.status != Status.OVERDUE


def test_as_of_a_day_before_the_move_the_manager_counts_in_borlange(
    mover, handover, gavleborg, world
):
    _mandate(world.borlange)
    _mandate(gavleborg.gavle)
    _move(mover, handover, gavleborg.gavle, date(2025, 1, 1))
    before = municipality_compliance(municipality=world.borlange, on=date(2024, 12, 1)).rows
    assert any(r.participant.pk == mover.pk for r in before)
    after = municipality_compliance(municipality=world.borlange, on=TODAY).rows
    assert not any(r.participant.pk == mover.pk for r in after)


# --- One programme, two providers --------------------------------------------------------


@pytest.fixture
def two_providers(world, gavleborg):
    """Dalarna's programme given by Högskolan Dalarna everywhere, and by Högskolan i Gävle
    for Falun only."""
    lead = world.programme.provider
    second = gavleborg.provider
    ProgrammeProvider.objects.create(programme=world.programme, provider=lead)
    falun_only = ProgrammeProvider.objects.create(programme=world.programme, provider=second)
    falun_only.municipalities.add(world.falun)
    return {
        "lead": f.OfferingFactory(course=world.courses["new"], term="HT2026", provider=lead),
        "second": f.OfferingFactory(course=world.courses["collab"], term="HT2026", provider=second),
        "unnamed": f.OfferingFactory(course=world.courses["steering"], term="HT2026"),
    }


def test_offerings_of_both_providers_appear_for_the_municipalities_allowed(
    world, gavleborg, two_providers
):
    falun = set(offerings_for_municipality(world.falun))
    borlange = set(offerings_for_municipality(world.borlange))
    assert set(two_providers.values()) <= falun
    assert {two_providers["lead"], two_providers["unnamed"]} <= borlange
    assert two_providers["second"] not in borlange
    assert not set(offerings_for_municipality(gavleborg.gavle)) & set(two_providers.values())


def test_a_manager_may_be_nominated_only_to_a_provider_their_municipality_may_use(
    world, two_providers
):
    falun = f.ParticipantFactory(municipality=world.falun)
    borlange = f.ParticipantFactory(municipality=world.borlange)
    assert nomination_problem(falun, two_providers["second"]) is None
    with translation.override("en"):
        refused = nomination_problem(borlange, two_providers["second"])
    assert refused == "The offering is not given to the manager's municipality."
    assert nomination_problem(borlange, two_providers["lead"]) is None


def test_the_nomination_list_of_hr_offers_both_providers_in_falun_only(
    client, world, personas, two_providers
):
    falun = f.ParticipantFactory(municipality=world.falun, administration=world.falun_social)
    client.force_login(personas.hr_falun)
    page = client.get(reverse("enrolment:participant_detail", args=[falun.pk]))
    assert page.status_code == 200
    offered = {o.pk for o in page.context["nomination_form"].fields["offering"].queryset}
    assert {two_providers["lead"].pk, two_providers["second"].pk} <= offered
    borlange = f.ParticipantFactory(municipality=world.borlange)
    client.force_login(personas.hr_borlange)
    page = client.get(reverse("enrolment:participant_detail", args=[borlange.pk]))
    offered = {o.pk for o in page.context["nomination_form"].fields["offering"].queryset}
    assert two_providers["lead"].pk in offered
    assert two_providers["second"].pk not in offered


def test_key_figures_split_by_provider(world, gavleborg, two_providers):
    for n in range(6):
        falun = f.ParticipantFactory(municipality=world.falun, email=f"f{n}@falun.se")
        f.pass_course(falun, world.courses["collab"], "HT2025")
        Enrolment.objects.filter(participant=falun).update(
            offering=_finished(world.courses["collab"], "HT2025", gavleborg.provider)
        )
    for n in range(7):
        borlange = f.ParticipantFactory(municipality=world.borlange, email=f"b{n}@borlange.se")
        f.pass_course(borlange, world.courses["new"], "HT2025")
    figures = national.national_figures(data_date=TODAY, region_ids=[world.region.pk])
    by_provider = {g.name: g for g in figures.providers}
    assert by_provider["Högskolan i Gävle"].participants == 6
    assert by_provider["Högskolan Dalarna"].participants == 7
    assert by_provider["Högskolan i Gävle"].participants_text == "6"
    assert by_provider["Högskolan Dalarna"].credits_text.startswith("52")


def _finished(course, term, provider):
    offering = f.offering_for(course, term, state=OfferingState.FINISHED)
    offering.provider = provider
    offering.save()
    return offering


# --- The national programme and the national administrator ------------------------------


def test_a_region_without_a_programme_of_its_own_follows_the_national_one(world, national_body):
    provider = f.ProviderFactory(name="Nationella lärosätet")
    programme = Programme.objects.create(
        national_body=national_body, provider=provider, title="Nationellt", first_term="HT2026"
    )
    slot = f.SlotFactory(programme=programme, position=1)
    course = f.CourseFactory(slot=slot, title="Nationell kurs")
    offering = f.OfferingFactory(course=course, term="HT2026")
    region = f.RegionFactory(name="Region Jämtland Härjedalen", county_code="23")
    ostersund = f.MunicipalityFactory(region=region, name="Östersund", code="2380")
    assert region_programme(region) == programme
    assert region_programme(world.region) == world.programme
    assert region_programmes()[None] == programme
    assert offering in offerings_for_municipality(ostersund)
    assert offering not in offerings_for_municipality(world.falun)
    manager = f.ParticipantFactory(municipality=ostersund)
    f.pass_course(manager, course, "HT2026")
    assert progress_of(manager, date(2027, 6, 1)).programme == programme
    listed = with_programme_status(Participant.objects.filter(pk=manager.pk), date(2027, 6, 1))
    assert listed.get().slots_filled == 1
    assert nomination_problem(f.ParticipantFactory(municipality=ostersund), offering) is None
    # Its HR reaches the national offerings, Dalarna's HR not.
    hr = f.UserFactory(email="hr@ostersund.se")
    f.RoleAssignmentFactory(user=hr, role=Role.HR_ADMIN, municipality=ostersund)
    assert offering in offerings_visible_to(hr)


def test_the_national_administrator_reaches_every_region_for_aggregates_only(
    world, gavleborg, national_admin
):
    assert reach(national_admin, AGGREGATE_ROLES).region_ids == {
        world.region.pk,
        gavleborg.region.pk,
    }
    assert not reach(national_admin, PEOPLE_ROLES)
    assert not participants_visible_to(national_admin).exists()


def test_the_national_administrator_manages_the_national_programme_only(
    world, national_body, national_admin
):
    programme = Programme.objects.create(
        national_body=national_body, provider=world.programme.provider, title="Nationellt"
    )
    assert list(programmes_managed_by(national_admin)) == [programme]


def _taking_part(region_courses, municipality, n, prefix):
    for i in range(n):
        person = f.ParticipantFactory(municipality=municipality, email=f"{prefix}{i}@x.se")
        f.pass_course(person, region_courses, "HT2025")


def test_the_national_page_shows_both_regions_aggregates_and_no_individual(
    client, world, personas, gavleborg, gavleborg_personas, national_admin
):
    _taking_part(world.courses["new"], world.borlange, 6, "b")
    _taking_part(world.courses["new"], world.falun, 5, "f")
    _taking_part(gavleborg.courses["lead"], gavleborg.gavle, 3, "g")
    client.force_login(national_admin)
    home = client.get("/")
    assert home.status_code == 302 and home.url == reverse("portal:national")
    page = client.get(reverse("portal:national"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Hälsa och välfärd i Dalarna" in html and "Region Gävleborg" in html
    shown = page.context["national"]
    rows = {g.name: g.participants_text for g in shown.regions}
    # Three in Gävleborg: under five; Dalarna's 11 and the nation's 14 would give it away,
    # so one of them is withheld too.
    assert rows["Region Gävleborg"] == "<5"
    assert "x" in (rows["Hälsa och välfärd i Dalarna"], shown.total.participants_text)
    assert "3" not in rows.values()
    for name in ("Ståhl", "Hälsinge", "Ström"):
        assert name not in html
    _taking_part(gavleborg.courses["lead"], gavleborg.gavle, 4, "g2")
    shown = client.get(reverse("portal:national")).context["national"]
    rows = {g.name: g.participants_text for g in shown.regions}
    assert rows == {"Hälsa och välfärd i Dalarna": "11", "Region Gävleborg": "7"}
    assert shown.total.participants_text == "18"
    # The regional councils keep their own follow-up, and not the national page.
    client.force_login(personas.council)
    assert client.get(reverse("portal:national")).status_code == 404


def test_the_national_follow_up_report_aggregates_the_regions_and_names_no_one(
    world, personas, gavleborg, national_admin
):
    _taking_part(world.courses["new"], world.borlange, 6, "b")
    _taking_part(gavleborg.courses["lead"], gavleborg.gavle, 7, "g")
    pdf = national.build(data_date=TODAY, reference="N-1", on_progress=lambda p: None)
    text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split()
    )
    assert "Hälsa och välfärd i Dalarna" in text and "Region Gävleborg" in text
    assert "13" in text
    assert "Ståhl" not in text and "Ström" not in text


def test_build_national_report_writes_the_pdf(tmp_path, world, gavleborg):
    _taking_part(world.courses["new"], world.borlange, 6, "b")
    out = tmp_path / "nationell.pdf"
    call_command(
        "build_national_report", "--date", "2026-11-29", "--out", str(out), stdout=io.StringIO()
    )
    assert out.read_bytes().startswith(b"%PDF")


def test_the_national_follow_up_runs_the_same_queries_whatever_the_number_of_managers(
    world, gavleborg, django_assert_max_num_queries
):
    f.MandateFactory(municipality=world.borlange)
    f.MandateFactory(municipality=gavleborg.gavle)
    _taking_part(world.courses["new"], world.borlange, 3, "b")
    _taking_part(gavleborg.courses["lead"], gavleborg.gavle, 3, "g")
    with CaptureQueriesContext(connection) as small:
        national.national_figures(data_date=TODAY)
    _taking_part(world.courses["law"], world.falun, 12, "f")
    _taking_part(gavleborg.courses["law"], gavleborg.sandviken, 12, "s")
    with django_assert_max_num_queries(len(small)):
        national.national_figures(data_date=TODAY)


def test_the_national_follow_up_runs_the_same_queries_whatever_the_number_of_regions(
    world, gavleborg, django_assert_max_num_queries
):
    f.MandateFactory(municipality=world.borlange)
    f.MandateFactory(municipality=gavleborg.gavle)
    _taking_part(world.courses["new"], world.borlange, 3, "b")
    _taking_part(gavleborg.courses["lead"], gavleborg.gavle, 3, "g")
    with CaptureQueriesContext(connection) as two:
        before = national.national_figures(data_date=TODAY)
    for n, code in enumerate(("22", "23", "24")):
        region = f.RegionFactory(name=f"Region {code}", county_code=code)
        programme = f.ProgrammeFactory(region=region, provider=gavleborg.provider)
        slot = f.SlotFactory(programme=programme, position=1)
        course = f.CourseFactory(slot=slot)
        town = f.MunicipalityFactory(region=region, name=f"Kommun {code}", code=f"{code}80")
        f.MandateFactory(municipality=town)
        _taking_part(course, town, 2 + n, f"r{code}-")
    with django_assert_max_num_queries(len(two)):
        after = national.national_figures(data_date=TODAY)
    assert len(before.regions) == 2 and len(after.regions) == 5
    assert [line.mandate for line in after.compliance] == [1, 1, 1, 1, 1]


# --- Two providers, one course, one term -------------------------------------------------

SAME_PROVIDER_TWICE = "Kursen har redan ett kurstillfälle från den här utbildningsanordnaren"


def _new_offering(client, course, provider=None, **changes):
    data = {
        "course": course.pk,
        "provider": provider.pk if provider else "",
        "term": "VT2027",
        "start_date": "2027-01-18",
        "end_date": "2027-06-06",
        "pace_percent": 25,
        "mode": "blended",
        "seats": 30,
        "application_deadline": "2026-12-01",
        "state": "planned",
        **changes,
    }
    return client.post(reverse("enrolment:offering_create"), data)


def test_two_providers_each_offer_the_course_in_one_term_but_one_provider_only_once(
    client, world, personas, gavleborg, two_providers
):
    course = world.courses["systems"]
    client.force_login(personas.programme_admin)
    assert _new_offering(client, course, world.programme.provider).status_code == 302
    assert _new_offering(client, course, gavleborg.provider).status_code == 302
    assert set(
        CourseOffering.objects.filter(course=course, term="VT2027").values_list(
            "provider__name", flat=True
        )
    ) == {world.programme.provider.name, gavleborg.provider.name}

    again = _new_offering(client, course, gavleborg.provider)
    assert again.status_code == 422
    assert SAME_PROVIDER_TWICE in again.content.decode()
    # Naming no provider is naming the lead, which already gives the course this term.
    unnamed = _new_offering(client, course)
    assert unnamed.status_code == 422
    assert SAME_PROVIDER_TWICE in unnamed.content.decode()
    assert CourseOffering.objects.filter(course=course, term="VT2027").count() == 2


def test_an_offering_that_names_no_provider_is_the_leads_once_a_term(
    client, world, personas, two_providers
):
    course = world.courses["systems"]
    client.force_login(personas.programme_admin)
    assert _new_offering(client, course).status_code == 302
    for provider in (None, world.programme.provider):
        response = _new_offering(client, course, provider)
        assert response.status_code == 422
        assert SAME_PROVIDER_TWICE in response.content.decode()
    assert CourseOffering.objects.filter(course=course, term="VT2027").count() == 1


def test_a_provider_outside_the_programme_cannot_give_its_course(
    client, world, personas, two_providers
):
    stranger = f.ProviderFactory(name="Lunds universitet")
    ProgrammeProvider.objects.create(
        programme=f.ProgrammeFactory(region=f.RegionFactory(county_code="12")), provider=stranger
    )
    client.force_login(personas.programme_admin)
    response = _new_offering(client, world.courses["systems"], stranger)
    assert response.status_code == 422
    assert "provider" in response.context["form"].errors
    assert not CourseOffering.objects.filter(course=world.courses["systems"]).exists()
    # The model says the same to any other writer.
    offering = f.OfferingFactory.build(course=world.courses["systems"], provider=stranger)
    with pytest.raises(ValidationError) as refused, translation.override("sv"):
        offering.full_clean(exclude=["term_index"])
    assert refused.value.message_dict["provider"] == [
        "Den här utbildningsanordnaren ger inte programmets kurser."
    ]


def test_the_database_refuses_one_provider_twice_and_two_unnamed_in_a_term(world, gavleborg):
    course = world.courses["systems"]
    f.OfferingFactory(course=course, term="VT2027", provider=gavleborg.provider)
    f.OfferingFactory(course=course, term="VT2027")
    for provider in (gavleborg.provider, None):
        with pytest.raises(IntegrityError), transaction.atomic():
            CourseOffering.objects.create(
                course=course,
                term="VT2027",
                provider=provider,
                start_date=date(2027, 1, 18),
                end_date=date(2027, 6, 6),
            )
    assert CourseOffering.objects.filter(course=course, term="VT2027").count() == 2
