"""HR's daily work in Chromium, checked with axe-core: nominating from the compliance
list, a nomination refused by the programme's rules and one warned and confirmed."""

from datetime import date

import pytest
from django.urls import reverse

from enrolment.models import Enrolment, EnrolmentState
from enrolment.services.enrolments import enrolment_nominate
from tests import factories as f

from .helpers import check_accessibility, log_in, path, submit

pytestmark = pytest.mark.browser


@pytest.fixture
def borlange(world, personas):
    """Borlänge under its mandate with two managers overdue on their start, and open
    offerings of course 1 and course 3."""
    f.MandateFactory(municipality=world.borlange)
    late = f.ParticipantFactory.create_batch(
        2,
        municipality=world.borlange,
        administration=world.borlange_social,
        appointed_on=date(2025, 8, 1),
    )
    return {
        "late": late,
        "new": f.OfferingFactory(course=world.courses["new"], term="VT2027"),
        "collab": f.OfferingFactory(course=world.courses["collab"], term="VT2027"),
        "law": f.OfferingFactory(course=world.courses["law"], term="VT2027"),
    }


def test_hr_nominates_two_overdue_managers_from_the_compliance_list(personas, page, borlange):
    log_in(page, personas.hr_borlange, check_start=False)
    url = reverse("enrolment:compliance_municipality", args=["2081"])
    page.goto(url)
    check_accessibility(page, "the compliance page with its nomination form")
    for participant in borlange["late"]:
        page.locator(f"#attention input[name=participants][value='{participant.pk}']").check()
    page.locator("#compliance-nominate select[name=offering]").select_option(
        str(borlange["new"].pk)
    )
    submit(page, "#compliance-nominate")
    assert path(page) == url
    nominated = Enrolment.objects.filter(offering=borlange["new"], state=EnrolmentState.NOMINATED)
    assert {e.participant for e in nominated} == set(borlange["late"])
    assert page.locator(".alert-success").count() == 1
    check_accessibility(page, "the compliance page after nominating")


def test_a_nomination_the_rules_refuse_is_explained_and_nothing_is_saved(personas, page, borlange):
    taken = borlange["late"][0]
    enrolment_nominate(participant=taken, offering=borlange["new"], actor=personas.hr_borlange)
    log_in(page, personas.hr_borlange, check_start=False)
    page.goto(reverse("enrolment:participant_list"))
    page.locator(f"input[name=participants][value='{taken.pk}']").check()
    page.locator("#bulk-nominate select[name=offering]").select_option(str(borlange["collab"].pk))
    submit(page, "#bulk-nominate")
    assert path(page) == reverse("enrolment:participant_list")
    refusal = page.locator(".alert-warning")
    assert refusal.count() == 1
    assert taken.full_name in refusal.inner_text()
    assert "Ny som ledare" in refusal.inner_text()
    assert not Enrolment.objects.filter(offering=borlange["collab"]).exists()
    check_accessibility(page, "the managers list with a refused nomination")


def test_a_warned_nomination_is_made_only_when_hr_confirms(personas, page, borlange):
    participant = borlange["late"][1]
    log_in(page, personas.hr_borlange, check_start=False)
    detail = reverse("enrolment:participant_detail", args=[participant.pk])
    page.goto(detail)
    assert page.locator("#plan").count() == 1
    page.locator("select[name=offering]").select_option(str(borlange["law"].pk))
    submit(
        page, f"form[action='{reverse('enrolment:participant_nominate', args=[participant.pk])}']"
    )
    warnings = page.locator("#nomination-warnings [data-warning]")
    assert warnings.count() == 1
    assert warnings.first.get_attribute("data-warning") == "order"
    assert not Enrolment.objects.filter(participant=participant).exists()
    check_accessibility(page, "the manager's page with a warning to confirm")

    submit(page, "#confirm-nomination")
    assert path(page) == detail
    enrolment = Enrolment.objects.get(participant=participant)
    assert enrolment.offering == borlange["law"]
    assert page.locator("#plan [data-plan-slot='3'][data-plan-state='planned']").count() == 1
    check_accessibility(page, "the manager's page after a confirmed nomination")


def test_hr_confirms_a_warned_bulk_nomination_from_who_must_start(personas, page, borlange):
    busy, free = borlange["late"]
    # Course 3 in VT2027 already: course 1 the same term doubles the pace.
    enrolment_nominate(
        participant=busy,
        offering=borlange["law"],
        actor=personas.hr_borlange,
        confirmed={"order"},
    )
    log_in(page, personas.hr_borlange, check_start=False)
    url = reverse("enrolment:compliance_must_start", args=["2081"])
    page.goto(url)
    check_accessibility(page, "who must start next term")
    for participant in (busy, free):
        page.locator(f"#must-start input[name=participants][value='{participant.pk}']").check()
    page.locator("#compliance-nominate select[name=offering]").select_option(
        str(borlange["new"].pk)
    )
    submit(page, "#compliance-nominate")
    assert page.locator("#warned [data-warning='same_term']").count() == 1
    assert {e.participant for e in Enrolment.objects.filter(offering=borlange["new"])} == {free}
    check_accessibility(page, "the confirmation of a warned bulk nomination")

    submit(page, "#confirm-nomination")
    assert path(page) == url
    assert {e.participant for e in Enrolment.objects.filter(offering=borlange["new"])} == {
        busy,
        free,
    }
