"""The API keys page in Chromium: issuing a key shows it once, revoking it, and the page
is accessible (axe-core, WCAG 2.1 A/AA) in each state."""

import pytest
from django.urls import reverse

from api.models import ApiToken

from .helpers import check_accessibility, log_in, submit

pytestmark = pytest.mark.browser


def test_hr_issues_and_revokes_a_key(personas, page):
    log_in(page, personas.hr_borlange)
    page.goto(reverse("api:token_list"))
    check_accessibility(page, "the API keys page without keys")
    page.locator("input[name=name]").fill("Heroma")
    page.locator("select[name=assignment]").select_option(
        str(personas.hr_borlange.role_assignments.get().pk)
    )
    submit(page, "main form:has(input[name=name])")
    key = page.locator("#new-key").inner_text()
    assert key.startswith("lp_")
    check_accessibility(page, "the API keys page showing a new key")

    submit(page, "main table form")
    assert page.locator("#new-key").count() == 0
    assert ApiToken.objects.get().revoked_at is not None
    check_accessibility(page, "the API keys page with a revoked key")
