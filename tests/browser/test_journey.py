"""The whole journey in a browser: HR imports and nominates a manager, the programme
administrator admits, registers and records a pass, and the manager sees it on their page.

Every page on the way is checked with axe-core for WCAG 2.1 A and AA.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from enrolment.models import Enrolment, EnrolmentState, Participant
from portal.accounts.models import Role
from programmes.models import OfferingState
from programmes.terms import Term
from tests import factories as f

from .helpers import check_accessibility, is_focused, log_in, path, submit, tab_to

pytestmark = pytest.mark.browser

NEW_MANAGER_EMAIL = "orjan.lindqvist@borlange.se"
# As Excel saves a sheet in Sweden as "CSV UTF-8": BOM, semicolons, CRLF.
IMPORT_FILE = (
    "\ufeffFörnamn;Efternamn;E-post;Anställningsnummer;Förvaltning;"
    "Verksamhetsområde;Befattning;Chef sedan\r\n"
    f"Örjan;Lindqvist;{NEW_MANAGER_EMAIL};B-1001;Socialförvaltningen;"
    "Äldreomsorg/hemtjänst;Enhetschef;2024-09-01\r\n"
).encode()


@pytest.fixture
def open_offering(world):
    """Ny som ledare, open for nomination, started a few weeks ago so a result can be
    dated today (results fall between the course start and today)."""
    today = timezone.localdate()
    return f.OfferingFactory(
        course=world.courses["new"],
        term=str(Term.of(today)),
        start_date=today - timedelta(weeks=4),
        end_date=today + timedelta(weeks=12),
        seats=20,
        state=OfferingState.OPEN,
    )


def _import_new_manager(page, tmp_path):
    page.goto(reverse("enrolment:participant_import"))
    check_accessibility(page, "the import page")
    csv_file = tmp_path / "chefer.csv"
    csv_file.write_bytes(IMPORT_FILE)
    upload = "main form[enctype='multipart/form-data']"
    page.locator(f"{upload} input[name=file]").set_input_files(csv_file)
    submit(page, upload)
    check_accessibility(page, "the import preview")
    assert NEW_MANAGER_EMAIL in page.locator("main table").inner_text()
    submit(page, f"main form[action='{reverse('enrolment:participant_import_apply')}']")
    assert path(page) == reverse("enrolment:participant_import")
    check_accessibility(page, "the import page after the import")


def _nominate_by_keyboard(page, participant, offering):
    page.goto(reverse("enrolment:participant_list"))
    check_accessibility(page, "the list of managers")
    bulk = f"main form[action='{reverse('enrolment:participant_bulk_nominate')}']"
    # The checkboxes sit in the table and belong to the form above it by its id.
    page.locator(f"main input[name=participants][value='{participant.pk}']").check()
    page.locator(f"{bulk} select[name=offering]").select_option(str(offering.pk))
    # From the top of the page, as a keyboard user arrives.
    page.evaluate("document.activeElement && document.activeElement.blur()")
    button = f"{bulk} button[type=submit]"
    tab_to(page, button)
    assert is_focused(page, button)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert path(page) == reverse("enrolment:participant_list")
    check_accessibility(page, "the list of managers after nominating")


def test_hr_imports_and_nominates_admin_admits_and_passes_and_manager_sees_the_result(
    world, personas, open_offering, new_page, tmp_path
):
    # HR of Borlänge: import a file that adds a manager, then nominate them.
    hr = new_page()
    log_in(hr, personas.hr_borlange, check_form=True)
    _import_new_manager(hr, tmp_path)
    newcomer = Participant.objects.get(email=NEW_MANAGER_EMAIL)
    assert newcomer.municipality == world.borlange
    assert newcomer.administration == world.borlange_social

    _nominate_by_keyboard(hr, newcomer, open_offering)
    enrolment = Enrolment.objects.get(participant=newcomer, offering=open_offering)
    assert enrolment.state == EnrolmentState.NOMINATED

    hr.goto(reverse("enrolment:participant_detail", args=[newcomer.pk]))
    check_accessibility(hr, "the manager's page")

    # The programme administrator: admit, register, and record the pass in the grid.
    admin = new_page()
    log_in(admin, personas.programme_admin)
    admin.goto(reverse("enrolment:offering_detail", args=[open_offering.pk]))
    check_accessibility(admin, "the offering page")
    for action, state in (
        ("admit", EnrolmentState.ADMITTED),
        ("register", EnrolmentState.REGISTERED),
    ):
        transition = reverse("enrolment:enrolment_transition", args=[enrolment.pk, action])
        submit(admin, f"main form[action='{transition}']")
        assert path(admin) == reverse("enrolment:offering_detail", args=[open_offering.pk])
        enrolment.refresh_from_db()
        assert enrolment.state == state
        check_accessibility(admin, f"the offering page after {action}")

    results = reverse("enrolment:offering_results", args=[open_offering.pk])
    admin.goto(results)
    check_accessibility(admin, "the results grid")
    grid = "main form[method=post]"
    admin.locator(f"{grid} select[name=results-0-grade]").select_option("G")
    admin.locator(f"{grid} input[name=results-0-credits]").fill("7,5")
    admin.locator(f"{grid} input[name=results-0-result_date]").fill(
        timezone.localdate().isoformat()
    )
    submit(admin, grid)
    assert path(admin) == results
    check_accessibility(admin, "the results grid after saving")
    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.PASSED
    assert enrolment.grade == "G"
    assert enrolment.credits == Decimal("7.5")
    assert enrolment.result_date == timezone.localdate()

    # The portal has no sign-up: an administrator gives the manager an account.
    account = f.UserFactory(email=NEW_MANAGER_EMAIL)
    f.RoleAssignmentFactory(user=account, role=Role.MANAGER)
    newcomer.user = account
    newcomer.save(update_fields=["user"])

    manager = new_page()
    log_in(manager, account)
    assert path(manager) == reverse("enrolment:my_programme")
    progress = manager.locator("main section[aria-labelledby=progress-heading]")
    assert progress.locator("[role=progressbar]").get_attribute("aria-valuenow") == "25"
    summary = progress.locator("p").first.inner_text()
    assert "7,5" in summary
    assert "30" in summary
    slots = progress.locator("ol > li")
    assert slots.count() == 4
    assert slots.nth(0).locator(".slot-passed").count() == 1
    assert world.courses["new"].title in slots.nth(0).inner_text()
    for later in range(1, 4):
        assert slots.nth(later).locator(".slot-not_started").count() == 1
