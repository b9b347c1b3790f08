"""Each role's start page after logging in: accessible, in Swedish, and in English after
the language switch."""

import pytest
from django.urls import reverse

from .helpers import check_accessibility, log_in, path, submit

pytestmark = pytest.mark.browser

START_PAGES = {
    "programme_admin": "portal:programme_admin",
    "hr_borlange": "portal:hr_admin",
    "head_borlange": "portal:head_of_administration",
    "council": "portal:council",
    "manager": "enrolment:my_programme",
}


def _language(page) -> str:
    return page.locator("html").get_attribute("lang")


@pytest.mark.parametrize("persona", sorted(START_PAGES))
def test_start_page_is_accessible_in_swedish_and_switches_to_english(personas, page, persona):
    log_in(page, getattr(personas, persona))
    start = reverse(START_PAGES[persona])
    assert path(page) == start
    assert _language(page) == "sv"

    submit(page, f"header form[action='{reverse('portal:set_language')}']")
    assert path(page) == start
    assert _language(page) == "en"
    check_accessibility(page, f"the start page of {persona}, in English")
