"""Bulk results in a browser: the programme administrator selects rows and sets grade, hp
and date at once, pastes a column of grades as Excel copies it, and saves from the top of
the grid, by keyboard where a keyboard user would; axe-core checks every state."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from enrolment.models import Enrolment, EnrolmentState
from tests import factories as f

from .helpers import check_accessibility, log_in, path, tab_to

pytestmark = pytest.mark.browser

S = EnrolmentState
RESULT_DAY = "2026-01-20"
# Elements that reach past the screen's right edge outside a region that scrolls on its
# own (an absolutely placed one, such as a visually hidden label, escapes the region's
# clipping unless the region is positioned): what makes a page scroll sideways.
WIDE_ELEMENTS = """() => Array.from(document.querySelectorAll("body *"))
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
    .filter((e) => !e.parentElement.closest(".table-responsive")
        || getComputedStyle(e).position === "absolute")
    .slice(0, 12)
    .map((e) => `${e.tagName.toLowerCase()}.${e.className} ${e.getBoundingClientRect().right}`)
"""


@pytest.fixture
def grid(world):
    """Ledarskapets juridik HT2025 with four registered managers, in name order."""
    offering = f.OfferingFactory(course=world.courses["law"], term="HT2025", state="running")
    for name in ("Andersson", "Berg", "Carlsson", "Dahl"):
        f.EnrolmentFactory(
            participant=f.ParticipantFactory(municipality=world.falun, last_name=name),
            offering=offering,
            state=S.REGISTERED,
        )
    return offering


def _row(page, index):
    return {
        "select": page.locator(f"#select-{index}"),
        "grade": page.locator(f"select[name=results-{index}-grade]"),
        "credits": page.locator(f"input[name=results-{index}-credits]"),
        "date": page.locator(f"input[name=results-{index}-result_date]"),
    }


def _paste(page, selector, text):
    """What the browser does when Excel's clipboard is pasted into the focused field."""
    page.locator(selector).focus()
    page.evaluate(
        """([selector, text]) => {
            const data = new DataTransfer();
            data.setData("text/plain", text);
            const event = new ClipboardEvent("paste", {
                clipboardData: data, bubbles: true, cancelable: true,
            });
            document.querySelector(selector).dispatchEvent(event);
        }""",
        [selector, text],
    )


def test_bulk_results_by_keyboard_paste_and_save_from_the_top(personas, page, grid):
    log_in(page, personas.programme_admin, check_start=False)
    url = reverse("enrolment:offering_results", args=[grid.pk])
    page.goto(url)
    tools = page.locator("[data-results-tools]")
    assert tools.is_visible()
    check_accessibility(page, "the results grid with its tools")

    # Select the first two rows with the space bar and set G and a date on both.
    for index in (0, 1):
        _row(page, index)["select"].focus()
        page.keyboard.press("Space")
    assert page.locator("[data-select-all]").evaluate("box => box.indeterminate")
    page.locator("#bulk-grade").focus()
    page.locator("#bulk-grade").select_option("G")
    page.locator("#bulk-date").fill(RESULT_DAY)
    tab_to(page, "[data-bulk-apply]")
    page.keyboard.press("Enter")
    for index in (0, 1):
        row = _row(page, index)
        assert row["grade"].input_value() == "G"
        # hp defaults to the course's on a pass.
        assert row["credits"].input_value() == "7,5"
        assert row["date"].input_value() == RESULT_DAY
    assert "2" in page.locator("[data-results-status]").inner_text()
    assert _row(page, 2)["grade"].input_value() == ""

    # Excel copies a column as lines; pasted into the third grade, it fills downwards.
    _paste(page, "select[name=results-2-grade]", "vg\r\nU\r\n")
    assert _row(page, 2)["grade"].input_value() == "VG"
    assert _row(page, 2)["credits"].input_value() == "7,5"
    assert _row(page, 3)["grade"].input_value() == "U"
    assert _row(page, 3)["credits"].input_value() == "0"

    # The date for the last two, through "select all" and the bulk date alone.
    page.locator("[data-select-all]").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Space")  # all, then none
    for index in (2, 3):
        _row(page, index)["select"].check()
    page.locator("#bulk-grade").select_option("")
    page.locator("#bulk-date").fill(RESULT_DAY)
    page.locator("[data-bulk-apply]").click()
    assert _row(page, 2)["grade"].input_value() == "VG"
    assert _row(page, 3)["date"].input_value() == RESULT_DAY

    # A value that is not a grade is left out and said so, in a live region.
    page.locator("#paste-grades").fill("VG\nkanske")
    page.locator("[data-paste-apply]").click()
    status = page.locator("[data-results-status]")
    assert status.get_attribute("role") == "status"
    assert "kanske" in status.inner_text()
    check_accessibility(page, "the results grid filled in")

    # Saved from the button above the grid.
    page.locator("[data-save=top]").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert path(page) == url
    check_accessibility(page, "the results grid after saving")
    saved = list(
        Enrolment.objects.filter(offering=grid)
        .order_by("participant__last_name")
        .values_list("state", "grade", "credits", "result_date")
    )
    day = date.fromisoformat(RESULT_DAY)
    assert saved == [
        (S.PASSED, "G", Decimal("7.5"), day),
        (S.PASSED, "G", Decimal("7.5"), day),
        (S.PASSED, "VG", Decimal("7.5"), day),
        (S.FAILED, "U", Decimal("0"), day),
    ]


def test_a_wrong_row_saves_nothing_and_the_tools_still_work(personas, page, grid):
    log_in(page, personas.programme_admin, check_start=False)
    page.goto(reverse("enrolment:offering_results", args=[grid.pk]))
    page.locator("[data-select-all]").check()
    page.locator("#bulk-grade").select_option("G")
    page.locator("#bulk-credits").fill("9")
    page.locator("#bulk-date").fill(RESULT_DAY)
    page.locator("[data-bulk-apply]").click()
    with page.expect_navigation():
        page.locator("[data-save=bottom]").click()
    # The server says no to 9 hp on a 7.5 hp course, on every row, and saves none.
    assert page.locator("tr.table-danger").count() == 4
    assert not Enrolment.objects.filter(offering=grid, state=S.PASSED).exists()
    assert page.locator("[data-results-tools]").is_visible()
    check_accessibility(page, "the results grid with errors")


@pytest.mark.parametrize("page_name", ["offering_list", "offering_detail", "offering_results"])
def test_offering_pages_fit_a_phone(personas, page, grid, page_name):
    """At 390 px no offering page is wider than the screen: wide tables scroll inside
    their own labelled region."""
    f.EnrolmentFactory(
        participant=f.ParticipantFactory(
            municipality=f.MunicipalityFactory(
                region=grid.course.slot.programme.region, name="Smedjebacken"
            )
        ),
        offering=grid,
        state=S.NOMINATED,
    )
    log_in(page, personas.programme_admin, check_start=False)
    page.set_viewport_size({"width": 390, "height": 844})
    args = [] if page_name == "offering_list" else [grid.pk]
    page.goto(reverse(f"enrolment:{page_name}", args=args))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page_name} is {width} px wide at 390 px: " + ", ".join(
        page.evaluate(WIDE_ELEMENTS)
    )
    check_accessibility(page, f"{page_name} at 390 px")
