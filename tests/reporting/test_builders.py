"""The four reports, read back from the PDF: what each holds, and what it must not."""

import base64
import re
from collections import Counter
from datetime import date

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.utils import translation

from enrolment.models import Participant
from enrolment.progress import progress_for
from portal.disclosure import MIN_GROUP
from programmes.models import Region
from programmes.terms import Term
from reporting.builders import ReportRefused, build_pdf, certificate, progress, regional
from reporting.models import ReportKind, ReportScope
from reporting.services.certificates import certificate_issue
from tests import factories as f

from .conftest import pdf_pages, pdf_text

pytestmark = pytest.mark.usefixtures("media_root")

DATA_DATE = date(2026, 11, 22)


def build(kind, scope, *, on=DATA_DATE, language="sv", reference="R-TEST"):
    return build_pdf(kind=kind, scope=scope, data_date=on, language=language, reference=reference)


def _rendering_only(monkeypatch, module):
    """Render the report's template (so that lazy queries in it count) but skip the
    PDF, which takes time and no queries."""
    contexts = []

    def fake(template_name, context, on_progress):
        render_to_string(template_name, context)
        contexts.append(context)
        return b"%PDF"

    monkeypatch.setattr(module, "render_pdf", fake)
    return contexts


# --- Progress ------------------------------------------------------------------------


def test_progress_report_lists_the_municipality_managers_and_no_one_else(
    world, personas, completed, borlange_team
):
    pdf = build(ReportKind.PROGRESS, ReportScope(municipality=world.borlange))
    text = pdf_text(pdf)

    assert "Ståhl, Märta" in text
    assert "Lindqvist, Gunnar" in text
    assert "Sandberg, Ylva" in text
    assert "Falunsson" not in text  # Falun
    assert "Utflyttad" not in text  # left in 2024
    row = next(line for line in text.splitlines() if "Ståhl" in line)
    assert re.search(r"\b30\b", row)
    assert "R-TEST" in text
    assert "2026-11-22" in text
    assert pdf_pages(pdf) >= 1


def test_progress_report_of_an_administration_leaves_out_the_others(
    world, personas, completed, borlange_team
):
    scope = ReportScope.of_administration(world.borlange_social)
    text = pdf_text(build(ReportKind.PROGRESS, scope))
    assert "Ståhl, Märta" in text
    assert "Lindqvist, Gunnar" in text
    assert "Sandberg" not in text


def test_progress_report_names_the_next_course_to_take(world, personas):
    f.pass_course(personas.manager_participant, world.courses["new"], "HT2022")
    f.OfferingFactory(course=world.courses["steering"], term="VT2027")
    pdf = build(ReportKind.PROGRESS, ReportScope(municipality=world.borlange))
    text = " ".join(pdf_text(pdf, layout=False).split())
    assert "Kommunal styrning och förändringsarbete, VT2027" in text


@pytest.mark.parametrize("size", [10, 200])
def test_progress_report_runs_a_fixed_number_of_queries(
    world, monkeypatch, django_assert_max_num_queries, size
):
    people = f.ParticipantFactory.create_batch(
        size, municipality=world.borlange, administration=world.borlange_social
    )
    for person in people[::3]:
        f.pass_course(person, world.courses["new"], "HT2022")
    contexts = _rendering_only(monkeypatch, progress)
    with django_assert_max_num_queries(8):
        build(ReportKind.PROGRESS, ReportScope(municipality=world.borlange))
    assert contexts[0]["managers"] == size


def test_progress_report_is_in_english_when_asked(world, personas, completed):
    text = pdf_text(
        build(ReportKind.PROGRESS, ReportScope(municipality=world.borlange), language="en")
    )
    with translation.override("en"):
        assert "Progress report" in text
    assert "Ståhl, Märta" in text


# --- Compliance ----------------------------------------------------------------------


@pytest.fixture
def mandate(world):
    return f.MandateFactory(
        municipality=world.borlange,
        effective_from=date(2025, 7, 1),
        fixed_completion_date=date(2025, 12, 31),
    )


def test_compliance_report_has_the_mandate_counts_and_the_overdue_with_reasons(
    world, personas, completed, borlange_team, mandate
):
    late = f.ParticipantFactory(
        municipality=world.borlange,
        first_name="Sigrid",
        last_name="Sensson",
        appointed_on=date(2020, 1, 1),
    )
    text = pdf_text(build(ReportKind.COMPLIANCE, ReportScope(municipality=world.borlange)))

    assert "KS 2025/123" in text
    assert "Sensson, Sigrid" in text
    row = next(line for line in text.splitlines() if "Sensson" in line)
    assert "2025-12-31" in row
    assert "Falunsson" not in text
    assert late.pk  # the overdue manager is in the list above, with the deadline


def test_compliance_report_shows_the_trend_from_the_monthly_snapshots(world, mandate):
    from enrolment.models import ComplianceSnapshot

    for month, overdue in ((date(2026, 9, 1), 7), (date(2026, 10, 1), 6)):
        ComplianceSnapshot.objects.create(
            municipality=world.borlange,
            month=month,
            counts={"overdue": overdue, "completed": 3},
            total=12,
        )
    text = pdf_text(build(ReportKind.COMPLIANCE, ReportScope(municipality=world.borlange)))
    assert "2026-09" in text
    assert "2026-10" in text
    assert "25 %" in text  # 3 of 12 completed


def test_compliance_report_without_a_mandate_says_so(world, personas):
    text = pdf_text(build(ReportKind.COMPLIANCE, ReportScope(municipality=world.falun)))
    assert "Falun" in text
    assert "Ståhl" not in text


@pytest.mark.parametrize("size", [10, 200])
def test_compliance_report_runs_a_fixed_number_of_queries(
    world, mandate, monkeypatch, django_assert_max_num_queries, size
):
    from reporting.builders import compliance

    f.ParticipantFactory.create_batch(size, municipality=world.borlange)
    contexts = _rendering_only(monkeypatch, compliance)
    with django_assert_max_num_queries(12):
        build(ReportKind.COMPLIANCE, ReportScope(municipality=world.borlange))
    assert contexts[0]["total"] == size


# --- Regional ------------------------------------------------------------------------


def test_regional_report_on_the_demo_states_143_participants_and_names_no_one(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    region = Region.objects.get(county_code="20")
    pdf = build(ReportKind.REGIONAL, ReportScope(region=region), on=date(2025, 12, 31))
    text = pdf_text(pdf)

    lead = " ".join(text.split())
    assert re.search(r"\b143 \w+ .*HT2022.*HT2025", lead)
    # The trend table's last row: taking part, new, and in total since HT2022.
    assert re.search(r"^\s*HT2025\s+\d+\s+\d+\s+143\s*$", text, re.MULTILINE)
    # The council's key figures are in the report too.
    assert "Fortfarande chef 12 månader efter första kursen" in lead
    assert "Klara med 30 hp inom 24 månader" in lead

    people = Participant.objects.filter(municipality__region=region)
    names = set(people.values_list("last_name", flat=True)) | set(
        people.values_list("email", flat=True)
    )
    named = [name for name in names if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text)]
    assert named == []

    # A municipality whose managers who completed are one to four shows "<5" for them.
    on = date(2025, 12, 31)
    takers = people.filter(
        enrolments__offering__term_index__lte=Term.parse("HT2025").index
    ).distinct()
    done = progress_for(takers, on)
    completed = Counter(p.municipality.name for p in takers if done[p.pk].is_complete)
    small = [name for name, n in completed.items() if 0 < n < MIN_GROUP]
    assert small, "the demo has municipalities with one to four who completed"
    for name in small:
        line = next(line for line in text.splitlines() if line.strip().startswith(name + " "))
        assert line.split()[2] == "<5", line


def test_regional_report_hides_a_municipality_under_five_and_one_more(world):
    big = f.MunicipalityFactory(region=world.region, name="Storby", code="2090")
    mid = f.MunicipalityFactory(region=world.region, name="Mellanby", code="2091")
    offering = f.offering_for(world.courses["new"], "HT2023")
    for municipality, count in ((big, 12), (mid, 7), (world.falun, 3)):
        for person in f.ParticipantFactory.create_batch(count, municipality=municipality):
            f.EnrolmentFactory(participant=person, offering=offering)

    text = pdf_text(
        build(ReportKind.REGIONAL, ReportScope(region=world.region), on=date(2024, 1, 10))
    )
    lines = {
        name: next(line for line in text.splitlines() if line.strip().startswith(name + " "))
        for name in ("Falun", "Mellanby", "Storby")
    }
    assert "<5" in lines["Falun"]
    assert not re.search(r"\b3\b", lines["Falun"])
    # Falun alone hidden would be the total minus the others: Mellanby is withheld too.
    assert not re.search(r"\b7\b", lines["Mellanby"])
    assert re.search(r"\b12\b", lines["Storby"])
    assert re.search(r"\b22\b", text)  # the region's total


@pytest.mark.parametrize("size", [10, 200])
def test_regional_report_runs_a_fixed_number_of_queries(
    world, monkeypatch, django_assert_max_num_queries, size
):
    f.MandateFactory(municipality=world.borlange)
    offering = f.offering_for(world.courses["new"], "HT2023")
    for person in f.ParticipantFactory.create_batch(size, municipality=world.borlange):
        f.EnrolmentFactory(participant=person, offering=offering)
    contexts = _rendering_only(monkeypatch, regional)
    # The report's own tables, then the council's key figures (reporting.followup.figures).
    with django_assert_max_num_queries(21 + 26):
        build(ReportKind.REGIONAL, ReportScope(region=world.region))
    assert contexts[0]["total"].participants == size


def test_share_hides_groups_and_parts_under_five():
    assert regional.share(3, 20) == "<5"
    assert regional.share(6, 4) == "<5"
    assert regional.share(5, 10) == "50 %"
    assert regional.share(0, 0) == "–"
    assert MIN_GROUP == 5


# --- Certificate ---------------------------------------------------------------------


def test_certificate_holds_the_courses_the_code_and_a_qr_code(world, personas, completed, today):
    issued = certificate_issue(participant=completed, on=today)
    pdf = build(ReportKind.CERTIFICATE, ReportScope(participant=completed), on=today)
    text = pdf_text(pdf)

    assert "Märta Ståhl" in text
    assert issued.code in text
    assert "Ledarskapets juridik" in text
    assert "2024-06-07" in text  # the last course's result date
    assert f"/intyg/{issued.code}/" in text


def test_the_qr_code_is_an_svg_image_of_the_verification_link():
    uri = certificate.qr_data_uri("https://portal.example.se/intyg/ABCD/")
    assert uri.startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(uri.split(",", 1)[1]).decode()
    assert "<svg" in svg
    assert "<path" in svg


def test_a_certificate_is_refused_for_a_manager_who_has_not_completed(world, personas):
    f.pass_course(personas.manager_participant, world.courses["new"], "HT2022")
    with pytest.raises(ReportRefused):
        build(ReportKind.CERTIFICATE, ReportScope(participant=personas.manager_participant))
