""" "Min utbildning" with a transcript, in a browser: the words of each enrolment, one
deadline line, the transcript downloaded as a PDF and read back, and a page that fits a
phone 390 px wide; axe-core checks it at both widths."""

from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests import factories as f

from .helpers import check_accessibility, log_in, path, tab_to

pytestmark = pytest.mark.browser


@pytest.fixture
def history(world, personas):
    """Märta Ståhl under Borlänge's mandate: a VG on course 1, course 2 credited, course 3
    admitted for VT2027 and course 4 nominated for VT2027."""
    me = personas.manager_participant
    f.MandateFactory(municipality=world.borlange)
    f.pass_course(me, world.courses["new"], "HT2023", grade="VG")
    f.CreditTransferFactory(participant=me, slot=world.slots[1], decided_on=date(2024, 5, 2))
    law = f.OfferingFactory(course=world.courses["law"], term="VT2027")
    f.EnrolmentFactory(participant=me, offering=law, state="admitted")
    systems = f.OfferingFactory(course=world.courses["systems"], term="VT2027")
    f.EnrolmentFactory(participant=me, offering=systems, state="nominated")
    return law


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_min_utbildning_with_a_transcript(personas, page, history):
    log_in(page, personas.manager)
    assert path(page) == reverse("enrolment:my_programme")
    main = page.locator("main")
    text = main.inner_text()
    assert f"Antagen – startar {history.start_date.isoformat()}" in text
    assert "Nominerad, VT2027" in text
    assert "Pågår" not in text
    # One deadline line: begun with course 1, so only when to be done.
    deadline = page.locator("[data-deadline-line]")
    assert deadline.count() == 1
    assert "påbörja" not in deadline.inner_text()
    assert "klar" in deadline.inner_text()
    assert text.count("2028-07-01") == 1
    check_accessibility(page, "Min utbildning")

    # The transcript, reached by keyboard, downloads as a PDF with the grades.
    tab_to(page, "[data-transcript-link]")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    pdf = download.value
    assert pdf.suggested_filename.startswith("resultatintyg-")
    with open(pdf.path(), "rb") as downloaded:
        content = BytesIO(downloaded.read())
    transcript = "\n".join(p.extract_text() for p in PdfReader(content).pages)
    assert "Resultatintyg" in transcript
    assert "Märta Ståhl" in transcript
    assert "Ny som ledare" in transcript and "VG" in transcript
    assert "tillgodoräknad" in transcript
    assert "Antagen – startar" in transcript

    # On a phone: nothing wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert _width(page) <= 390, f"Min utbildning is {_width(page)} px wide at 390 px"
    check_accessibility(page, "Min utbildning at 390 px")


def test_min_utbildning_of_a_completed_manager_offers_the_certificate(world, personas, page):
    me = personas.manager_participant
    for course, term in (("new", "HT2022"), ("steering", "VT2023"), ("law", "HT2023")):
        f.pass_course(me, world.courses[course], term)
    f.pass_course(me, world.courses["systems"], "VT2024")
    log_in(page, personas.manager)
    order = f"main form[action='{reverse('reporting:report_order', args=['certificate'])}']"
    assert page.locator(order).count() == 1
    assert page.locator("[data-transcript-link]").count() == 1
    check_accessibility(page, "Min utbildning, completed")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert _width(page) <= 390
