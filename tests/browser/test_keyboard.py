"""The portal with the keyboard alone: the skip link, and logging in."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

from .helpers import is_focused, path, tab_to

pytestmark = pytest.mark.browser


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_main_content(page):
    page.goto(reverse("account_login"))
    page.keyboard.press("Tab")
    assert is_focused(page, "a.skip-link")
    # Hidden until focused, then visible for sighted keyboard users.
    box = page.locator("a.skip-link").bounding_box()
    assert box["width"] > 1
    assert box["height"] > 1

    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    assert is_focused(page, "main#main")


def test_log_in_form_can_be_filled_and_sent_with_the_keyboard_alone(personas, page):
    page.goto(reverse("account_login"))
    form = f"main form[action='{reverse('account_login')}']"
    tab_to(page, f"{form} input[name=login]")
    page.keyboard.type(personas.hr_borlange.email)
    tab_to(page, f"{form} input[name=password]", limit=5)
    page.keyboard.type(PASSWORD)
    tab_to(page, f"{form} button[type=submit]", limit=5)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert path(page) == reverse("portal:hr_admin")
