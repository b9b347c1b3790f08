"""The compliance pages, for a municipality with a mandate and for the region, checked
with axe-core."""

from datetime import date

import pytest
from django.urls import reverse

from tests import factories as f

from .helpers import check_accessibility, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def borlange_under_mandate(world, personas):
    """Borlänge's mandate, with managers in different states against it."""
    f.MandateFactory(municipality=world.borlange)
    done = f.ParticipantFactory(
        municipality=world.borlange,
        administration=world.borlange_social,
        appointed_on=date(2022, 8, 1),
    )
    for course in ("new", "steering", "law", "systems"):
        f.pass_course(done, world.courses[course])
    f.pass_course(
        f.ParticipantFactory(
            municipality=world.borlange,
            administration=world.borlange_care,
            appointed_on=date(2024, 2, 1),
        ),
        world.courses["collab"],
    )
    f.ParticipantFactory(
        municipality=world.borlange,
        administration=world.borlange_care,
        appointed_on=date(2026, 9, 1),
    )
    return world.borlange


def test_municipality_compliance_page_is_accessible(borlange_under_mandate, personas, page):
    log_in(page, personas.hr_borlange, check_start=False)
    page.goto(reverse("enrolment:compliance_municipality", args=[borlange_under_mandate.code]))
    assert page.locator("main table").count() > 0
    check_accessibility(page, "the compliance page of Borlänge")


def test_regional_compliance_page_is_accessible(borlange_under_mandate, personas, page):
    log_in(page, personas.council, check_start=False)
    page.goto(reverse("enrolment:compliance_region"))
    assert page.locator("main table").count() > 0
    check_accessibility(page, "the regional compliance page")
