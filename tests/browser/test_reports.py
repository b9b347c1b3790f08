"""Ordering a report for a chosen period, by keyboard and screen reader as by mouse: the
council orders the regional follow-up for HT2022–VT2023, focus moves to the new row, a
live region announces it, the row shows it queued and then done (without Redis: the
report is made in a thread of the site's process), and the PDF's headline states the
period. axe-core checks the page in each state."""

import time

import pytest
from django.urls import reverse

from portal.celery import app as celery_app
from reporting.models import ReportKind, ReportRequest, ReportState
from tests.reporting.conftest import complete, pdf_text

from .helpers import check_accessibility, is_focused, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def without_broker(settings, tmp_path):
    """As `make run` without REDIS_URL: tasks run in the site's own process."""
    settings.MEDIA_ROOT = tmp_path / "media"
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def test_the_council_orders_the_regional_follow_up_for_a_chosen_period(
    without_broker, world, personas, new_page
):
    complete(personas.manager_participant, world)
    page = new_page()
    log_in(page, personas.council)
    page.goto(reverse("reporting:report_list"))
    check_accessibility(page, "the reports page")

    form = page.locator("#order-regional")
    form.locator("select[name=period_first]").select_option("HT2022")
    form.locator("select[name=period_last]").select_option("VT2023")
    with page.expect_navigation():
        form.locator("[type=submit]").press("Enter")

    report = ReportRequest.objects.get(kind=ReportKind.REGIONAL)
    assert (report.period_first, report.period_last) == ("HT2022", "VT2023")
    row = f"#report-{report.pk}"
    # Focus is on the new row, and the live region says what was ordered.
    assert is_focused(page, row)
    announcement = page.locator("#report-announcement")
    page.wait_for_function(
        "(ref) => document.getElementById('report-announcement').textContent.includes(ref)",
        arg=report.reference,
    )
    assert announcement.get_attribute("role") == "status"
    assert "HT2022–VT2023" in page.locator(row).inner_text()
    check_accessibility(page, "the reports page after ordering")

    # The row polls until the report is done; focus stays on it through each swap, and
    # the live region says it is done.
    page.locator(f"{row} a[href='{reverse('reporting:report_download', args=[report.pk])}']")\
        .wait_for(timeout=90_000)  # fmt: skip
    time.sleep(0.3)
    assert is_focused(page, row)
    page.wait_for_function(
        "(ref) => document.getElementById('report-announcement').textContent.includes(ref)"
        " && document.getElementById('report-announcement').textContent.includes('Klar')",
        arg=report.reference,
    )
    check_accessibility(page, "the reports page with the report done")

    report.refresh_from_db()
    assert report.state == ReportState.DONE
    with report.file.open("rb") as handle:
        text = " ".join(pdf_text(handle.read(), layout=False).split())
    assert "deltog i minst en kurs mellan HT2022 och VT2023" in text
