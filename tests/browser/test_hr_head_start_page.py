"""The head of administration's start page in Chromium, checked with axe-core: compliance
for their managers first, then their reports."""

from datetime import date

import pytest
from django.urls import reverse

from tests import factories as f

from .helpers import log_in, path

pytestmark = pytest.mark.browser


def test_the_head_of_administration_lands_on_compliance_and_finds_the_reports(
    world, personas, page
):
    f.MandateFactory(municipality=world.borlange)
    late = f.ParticipantFactory(
        municipality=world.borlange,
        administration=world.borlange_social,
        appointed_on=date(2025, 8, 1),
    )
    # log_in checks the start page with axe-core.
    log_in(page, personas.head_borlange)
    assert path(page) == reverse("portal:head_of_administration")
    assert page.locator("main h2").first.get_attribute("id") == "compliance-heading"
    overdue = page.locator("#status-counts td[data-status='overdue']")
    assert overdue.inner_text().strip() == "2"  # the manager above and the persona's own
    attention = page.locator("#attention")
    assert late.full_name in attention.inner_text()
    assert "2026-07-01" in attention.inner_text()
    assert page.locator(f"main a[href='{reverse('reporting:report_list')}']").count() == 1
    assert page.locator("p#subscriptions").count() == 1
    assert page.locator("form[action*='nominera']").count() == 0
