"""The privacy notice and the accessibility statement: reached from every page's footer,
accessible, in Swedish and in English."""

import pytest
from django.urls import reverse

from .helpers import check_accessibility, log_in, path, submit

pytestmark = pytest.mark.browser

PAGES = ["privacy", "accessibility"]


@pytest.mark.parametrize("name", PAGES)
def test_public_page_from_the_footer_is_accessible_in_both_languages(personas, page, name):
    log_in(page, personas.council)
    target = reverse("privacy:page", args=[name])
    page.locator(f"footer a[href='{target}']").click()
    page.wait_for_url(f"**{target}")
    assert path(page) == target
    assert page.locator("html").get_attribute("lang") == "sv"
    check_accessibility(page, f"the {name} page, in Swedish")
    submit(page, f"header form[action='{reverse('portal:set_language')}']")
    assert page.locator("html").get_attribute("lang") == "en"
    check_accessibility(page, f"the {name} page, in English")
