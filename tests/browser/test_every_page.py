"""Every page of the portal, visited as each role that may see it, with data on it.

Each page is checked as a user meets it (`helpers.check_page`): its title names it before
the site, with the separator ("Chefer – Ledarskapsportalen"); at 390 px nothing scrolls
sideways; each of its first 15 tab stops looks different when focused; axe-core finds no
WCAG 2.1 A or AA violation. The HTML the server sent for every page is kept and checked
by the Nu HTML Checker at the end, in one run (the JVM is slow to start).

The data are a small Dalarna: an open and a finished offering with enrolments in most
states, Borlänge's mandate, a manager's request to be nominated, an open course evaluation
with answers, a manager who has completed the programme and has a certificate, and
reports that are done. Each test logs in one persona and walks their pages, so that the
file needs one browser and a handful of log-ins.
"""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from enrolment.models import EnrolmentState, NominationRequest
from programmes.models import CourseEquivalence, OfferingState, ProgrammeProvider
from reporting.evaluations.models import EvaluationRound, Question, QuestionKind, Questionnaire
from reporting.evaluations.pending import pending_release
from reporting.evaluations.services import response_submit
from reporting.models import Certificate, ReportKind, ReportRequest, ReportState
from tests import factories as f

from .helpers import check_page, log_in, path, submit, validate_html

pytestmark = pytest.mark.browser

# The server's HTML of every page visited in this process, by the page's description.
HTML_PAGES: dict[str, str] = {}


@pytest.fixture(scope="session", autouse=True)
def nu_html_checker(tmp_path_factory):
    """After the last page, the Nu HTML Checker over all of them: no error on any."""
    yield
    validate_html(HTML_PAGES, tmp_path_factory.mktemp("html"))


S = EnrolmentState
STATEMENTS = ("Kursen har stärkt mitt ledarskap", "Jag fick tid avsatt för studierna")
FREE_TEXT = "Vad vill du säga till kursledningen?"


@pytest.fixture
def portal(world, personas):
    """The data the pages show; the objects the tests need the addresses of."""
    today = timezone.localdate()
    borlange, falun = world.borlange, world.falun
    manager = personas.manager_participant

    def borlange_manager(**fields):
        return f.ParticipantFactory(
            municipality=borlange, administration=world.borlange_social, **fields
        )

    open_offering = f.OfferingFactory(
        course=world.courses["steering"],
        term=f"HT{today.year + 1}",
        seats=3,
        state=OfferingState.OPEN,
    )
    finished = f.OfferingFactory(
        course=world.courses["new"], term="HT2024", state=OfferingState.FINISHED
    )

    # The open offering: nominated, admitted, waitlisted, registered and withdrawn.
    for state, extra in (
        (S.NOMINATED, {}),
        (S.ADMITTED, {}),
        (S.REGISTERED, {}),
        (S.WAITLISTED, {"waitlist_position": 1}),
        (S.WITHDRAWN, {}),
    ):
        f.EnrolmentFactory(
            participant=borlange_manager(), offering=open_offering, state=state, **extra
        )
    f.EnrolmentFactory(
        participant=f.ParticipantFactory(municipality=falun, administration=world.falun_social),
        offering=open_offering,
        state=S.NOMINATED,
    )

    # The finished offering: the persona manager passed; others failed or await a result.
    f.PassedEnrolmentFactory(participant=manager, offering=finished)
    f.EnrolmentFactory(participant=borlange_manager(), offering=finished, state=S.FAILED, grade="U")
    f.EnrolmentFactory(participant=borlange_manager(), offering=finished, state=S.REGISTERED)

    # A course evaluation open now for the finished offering, answered by five others.
    questionnaire = Questionnaire.objects.create(region=world.region, title="Kursutvärdering")
    for position, text in enumerate(STATEMENTS, start=1):
        Question.objects.create(questionnaire=questionnaire, position=position, text=text)
    Question.objects.create(
        questionnaire=questionnaire, position=3, text=FREE_TEXT, kind=QuestionKind.TEXT
    )
    evaluation = EvaluationRound.objects.create(
        offering=finished,
        questionnaire=questionnaire,
        opens_on=today - timedelta(days=3),
        closes_on=today + timedelta(days=14),
        created_by=personas.programme_admin,
    )
    for number in range(5):
        respondent = f.ParticipantFactory(municipality=borlange if number % 2 else falun)
        f.PassedEnrolmentFactory(participant=respondent, offering=finished)
        response_submit(
            evaluation_round=evaluation,
            participant=respondent,
            answers={
                q.pk: (3 + number % 3 if q.kind == QuestionKind.LIKERT else "Bra handledning")
                for q in questionnaire.questions.all()
            },
            on=today,
        )
    pending_release(evaluation_round=evaluation, closing=True)

    # Borlänge's mandate, a manager who completed the programme, one credited and one gone.
    mandate = f.MandateFactory(municipality=borlange)
    completed = borlange_manager(first_name="Gunnar", last_name="Lindqvist")
    for course, term in (
        ("new", "HT2022"),
        ("steering", "VT2023"),
        ("law", "HT2023"),
        ("systems", "VT2024"),
    ):
        f.pass_course(completed, world.courses[course], term)
    certificate = Certificate.objects.create(
        participant=completed,
        programme=world.programme,
        code="K7M2Q9XA",
        issued_on=today,
    )
    credited = borlange_manager(first_name="Ylva", last_name="Sandberg")
    f.CreditTransferFactory(participant=credited, slot=world.slots[2])
    borlange_manager(appointed_on=date(2021, 1, 1), left_on=date(2024, 1, 31))

    # The persona manager asks to take the open offering.
    NominationRequest.objects.create(
        participant=manager, offering=open_offering, message="Jag vill gärna gå kursen i höst."
    )

    # Reports that are done (and one that failed) for HR and the council.
    for kind, user, scope in (
        (ReportKind.PROGRESS, personas.hr_borlange, {"municipality": borlange}),
        (ReportKind.COMPLIANCE, personas.hr_borlange, {"municipality": borlange}),
        (ReportKind.REGIONAL, personas.council, {"region": world.region}),
        (ReportKind.CERTIFICATE, personas.programme_admin, {"participant": completed}),
    ):
        ReportRequest.objects.create(
            kind=kind,
            requested_by=user,
            data_date=today,
            language="sv",
            state=ReportState.DONE,
            progress=100,
            file=f"{kind}-{today.isoformat()}.pdf",
            finished_at=timezone.now(),
            **scope,
        )
    ReportRequest.objects.create(
        kind=ReportKind.PROGRESS,
        requested_by=personas.hr_borlange,
        administration=world.borlange_care,
        municipality=borlange,
        data_date=today,
        language="sv",
        state=ReportState.FAILED,
        failure="timeout",
        finished_at=timezone.now(),
    )
    return SimpleNamespace(
        open_offering=open_offering,
        finished=finished,
        evaluation=evaluation,
        questionnaire=questionnaire,
        mandate=mandate,
        completed=completed,
        credited=credited,
        certificate=certificate,
        manager=manager,
    )


def _visit(page, where: str, url: str, *, has_table: bool = False, status: int = 200) -> None:
    response = page.goto(url)
    assert response.status == status, f"{where}: {url} answered {response.status}"
    if has_table:
        assert page.locator("main table tbody tr").count() > 0, f"{where} has no rows"
    check_page(page, where, HTML_PAGES, response)


def _submit_empty(page, form: str, where: str) -> None:
    """Empty a form's fields and send it past the browser's own checks, so that the
    server's errors show: they must be as accessible as the rest of the page."""
    page.evaluate(
        """(selector) => {
            const form = document.querySelector(selector);
            form.noValidate = true;
            for (const field of form.querySelectorAll("input:not([type=hidden]), textarea")) {
                if (field.type === "checkbox" || field.type === "radio") field.checked = false;
                else if (field.type !== "submit") field.value = "";
            }
            for (const field of form.querySelectorAll("select")) field.selectedIndex = 0;
        }""",
        form,
    )
    submit(page, form)
    errors = page.locator("main .invalid-feedback, main .alert-danger, main .errorlist")
    assert errors.count() > 0, f"{where}: no error is shown"
    check_page(page, where, HTML_PAGES)


def test_hr_pages(portal, world, personas, page):
    log_in(page, personas.hr_borlange, check_start=False)
    code = world.borlange.code
    participant = portal.manager.pk
    _visit(page, "HR's start page", reverse("portal:hr_admin"))
    _visit(
        page,
        "the managers list, filtered",
        reverse("enrolment:participant_list")
        + f"?status=in_progress&administration={world.borlange_social.pk}&ordering=-hp",
        has_table=True,
    )
    _visit(page, "the managers list", reverse("enrolment:participant_list"), has_table=True)
    _visit(
        page,
        "a manager's page",
        reverse("enrolment:participant_detail", args=[participant]),
        has_table=True,
    )
    _visit(page, "the add form", reverse("enrolment:participant_create"))
    _visit(page, "the take-over form", reverse("enrolment:participant_take_over"))
    _visit(page, "the edit form", reverse("enrolment:participant_update", args=[participant]))
    _visit(page, "the leave form", reverse("enrolment:participant_leave", args=[participant]))
    _visit(page, "the import page", reverse("enrolment:participant_import"))
    _visit(page, "the requests list", reverse("enrolment:request_list"), has_table=True)
    _visit(page, "HR's offerings list", reverse("enrolment:offering_list"), has_table=True)
    _visit(
        page,
        "HR's offering page",
        reverse("enrolment:offering_detail", args=[portal.open_offering.pk]),
        has_table=True,
    )
    _visit(page, "the compliance start page", reverse("enrolment:compliance_home"))
    _visit(
        page,
        "the compliance page of Borlänge",
        reverse("enrolment:compliance_municipality", args=[code]),
        has_table=True,
    )
    _visit(page, "the mandates", reverse("enrolment:mandate_list", args=[code]), has_table=True)
    _visit(
        page,
        "the mandate form",
        reverse("enrolment:mandate_update", args=[code, portal.mandate.pk]),
    )
    _visit(page, "HR's intake planning", reverse("followup:intake_planning"), has_table=True)
    _visit(page, "HR's reports", reverse("reporting:report_list"), has_table=True)
    _visit(
        page,
        "the deadline decision form",
        reverse("enrolment:deadline_decision_create", args=[participant]),
    )
    _visit(page, "the pause for an administration", reverse("enrolment:administration_pause"))
    _visit(page, "HR's e-mail settings", reverse("notifications:preferences"))
    _visit(page, "HR's API keys", reverse("api:token_list"))


def test_head_of_administration_pages(portal, world, personas, page):
    log_in(page, personas.head_borlange, check_start=False)
    _visit(page, "the head's start page", reverse("portal:head_of_administration"))
    _visit(page, "the head's managers", reverse("enrolment:participant_list"), has_table=True)
    _visit(
        page,
        "a manager's page, for the head",
        reverse("enrolment:participant_detail", args=[portal.manager.pk]),
    )
    _visit(page, "the head's offerings", reverse("enrolment:offering_list"), has_table=True)
    _visit(
        page,
        "the head's compliance page",
        reverse("enrolment:compliance_municipality", args=[world.borlange.code]),
        has_table=True,
    )
    _visit(page, "the head's reports", reverse("reporting:report_list"))
    _visit(page, "the head's e-mail settings", reverse("notifications:preferences"))


def test_forms_sent_empty_show_their_errors_accessibly(world, personas, page):
    log_in(page, personas.hr_borlange, check_start=False)
    page.goto(reverse("enrolment:participant_create"))
    _submit_empty(page, "main form[method=post]", "the add form sent empty")
    assert path(page) == reverse("enrolment:participant_create")

    create = reverse("enrolment:mandate_create", args=[world.borlange.code])
    page.goto(create)
    _submit_empty(page, "main form[method=post]", "the mandate form sent empty")
    assert path(page) == create


def test_gavles_hr_takes_over_a_borlange_manager_through_the_add_form(
    world, gavleborg, gavleborg_personas, page
):
    """The add form's offer, the take-over form and its confirm step, as Gävle's HR."""
    moving = f.ParticipantFactory(
        municipality=world.borlange,
        administration=world.borlange_social,
        appointed_on=date(2023, 1, 15),
        email="flyttar@borlange.se",
    )
    log_in(page, gavleborg_personas.hr_gavle, check_start=False)
    page.goto(reverse("enrolment:participant_create"))
    page.locator("input[name=first_name]").fill("Sigrid")
    page.locator("input[name=last_name]").fill("Flytt")
    page.locator("input[name=email]").fill(moving.email)
    submit(page, "main form[method=post]")
    check_page(page, "the add form offering a take-over", HTML_PAGES)
    submit(page, "#take-over-offer form")
    assert page.locator("input[name=email]").input_value() == moving.email
    check_page(page, "the take-over form, begun from the add form", HTML_PAGES)
    page.locator("input[name=moved_on]").fill("2025-01-01")
    page.locator("select[name=administration]").select_option(str(gavleborg.gavle_social.pk))
    submit(page, "main form[method=post]")
    check_page(page, "the take-over's confirm step", HTML_PAGES)
    submit(page, "#confirm-take-over")
    assert path(page) == reverse("enrolment:participant_detail", args=[moving.pk])
    moving.refresh_from_db()
    assert moving.municipality == gavleborg.gavle


def test_programme_admin_offering_pages(portal, personas, page):
    log_in(page, personas.programme_admin, check_start=False)
    _visit(page, "the programme administrator's start page", reverse("portal:programme_admin"))
    _visit(page, "the requests, for the region", reverse("enrolment:request_list"))
    _visit(page, "the offerings list", reverse("enrolment:offering_list"), has_table=True)
    _visit(page, "the new offering form", reverse("enrolment:offering_create"))
    offering = reverse("enrolment:offering_detail", args=[portal.open_offering.pk])
    _visit(page, "the offering page", offering, has_table=True)
    _visit(
        page,
        "the offering edit form",
        reverse("enrolment:offering_update", args=[portal.open_offering.pk]),
    )
    results = reverse("enrolment:offering_results", args=[portal.finished.pk])
    _visit(page, "the results grid", results, has_table=True)
    # Results out of range: every row is marked, with its errors next to its fields.
    grid = "main form[method=post]"
    for row in range(page.locator(f"{grid} tbody tr").count()):
        page.locator(f"{grid} select[name=results-{row}-grade]").select_option("G")
        page.locator(f"{grid} input[name=results-{row}-credits]").fill("99")
        page.locator(f"{grid} input[name=results-{row}-result_date]").fill("2099-01-01")
    submit(page, grid)
    assert path(page) == results
    assert page.locator(f"{grid} tbody tr.table-danger").count() > 0
    check_page(page, "the results grid with errors", HTML_PAGES)
    _visit(
        page,
        "the credit transfer form",
        reverse("enrolment:credit_transfer_create", args=[portal.credited.pk]),
        has_table=True,
    )
    _visit(
        page,
        "the programme administrator's reports",
        reverse("reporting:report_list"),
        has_table=True,
    )

    # And in English, after the switch in the header.
    submit(page, f"header form[action='{reverse('portal:set_language')}']")
    assert page.locator("html").get_attribute("lang") == "en"
    assert path(page) == reverse("reporting:report_list")
    check_page(page, "the reports, in English", HTML_PAGES)
    _visit(page, "the offering page, in English", offering, has_table=True)


def test_programme_admin_follow_up_pages(portal, personas, page):
    log_in(page, personas.programme_admin, check_start=False)
    _visit(page, "the intake planning", reverse("followup:intake_planning"), has_table=True)
    _visit(page, "the evaluation results", reverse("evaluations:results"), has_table=True)
    _visit(page, "the evaluations", reverse("evaluations:rounds"), has_table=True)
    _visit(page, "the questionnaires", reverse("evaluations:questionnaires"), has_table=True)
    _visit(page, "the new questionnaire form", reverse("evaluations:questionnaire_create"))
    _visit(
        page,
        "the questionnaire form",
        reverse("evaluations:questionnaire_update", args=[portal.questionnaire.pk]),
    )
    _visit(
        page,
        "the new evaluation form",
        reverse("evaluations:round_create") + f"?offering={portal.open_offering.pk}",
    )
    _visit(
        page,
        "the evaluation form",
        reverse("evaluations:round_update", args=[portal.evaluation.pk]),
    )
    _visit(page, "the access log", reverse("privacy:access_log"))
    _visit(
        page,
        "the privacy notice's text form",
        reverse("privacy:text_edit", args=["privacy"]),
    )
    _visit(
        page,
        "the certificate's revocation form",
        reverse("reporting:certificate_revoke", args=[portal.certificate.pk]),
    )
    _visit(page, "the e-mails not sent", reverse("notifications:failed_list"))
    _visit(page, "the API keys", reverse("api:token_list"))


def test_council_and_manager_pages(portal, personas, new_page):
    council = new_page()
    log_in(council, personas.council, check_start=False)
    _visit(council, "the council's start page", reverse("portal:council"))
    _visit(council, "the council's reports", reverse("reporting:report_list"), has_table=True)
    _visit(
        council,
        "the council's regional compliance",
        reverse("enrolment:compliance_region"),
        has_table=True,
    )
    _visit(council, "the key figures", reverse("followup:key_figures"), has_table=True)
    _visit(
        council,
        "the council's evaluation results, by municipality",
        reverse("evaluations:results") + "?by=municipality",
        has_table=True,
    )

    manager = new_page()
    log_in(manager, personas.manager, check_start=False)
    _visit(manager, "Min utbildning", reverse("enrolment:my_programme"), has_table=True)
    _visit(manager, "the manager's reports", reverse("reporting:report_list"))
    _visit(manager, "the manager's e-mail settings", reverse("notifications:preferences"))
    answer = reverse("evaluations:answer", args=[portal.evaluation.pk])
    _visit(manager, "the evaluation answer form", answer)
    _submit_empty(manager, "main form[method=post]", "the evaluation answer form sent empty")
    assert path(manager) == answer


def test_programme_and_national_pages(
    portal, world, personas, gavleborg, national_body, national_admin, new_page
):
    """The programme pages (structure, providers, equivalences) as the programme
    administrator and the national administrator, and the national page, with a second
    region, a second provider and a national programme on them."""
    ProgrammeProvider.objects.create(programme=world.programme, provider=world.programme.provider)
    falun_only = ProgrammeProvider.objects.create(
        programme=world.programme, provider=gavleborg.provider
    )
    falun_only.municipalities.add(world.falun)
    CourseEquivalence.objects.create(
        programme=world.programme, course=gavleborg.courses["lead"], slot=world.slots[0]
    )
    nationwide = f.ProgrammeFactory(
        region=None,
        national_body=national_body,
        provider=gavleborg.provider,
        title="Nationellt ledarskapsprogram",
    )
    f.CourseFactory(slot=f.SlotFactory(programme=nationwide, position=1), title="Att leda")
    f.MandateFactory(municipality=gavleborg.gavle)
    for _ in range(6):
        f.pass_course(
            f.ParticipantFactory(
                municipality=gavleborg.gavle, administration=gavleborg.gavle_social
            ),
            gavleborg.courses["lead"],
            "HT2025",
        )
    dalarna = reverse("programmes:programme_detail", args=[world.programme.pk])

    admin = new_page()
    log_in(admin, personas.programme_admin, check_start=False)
    _visit(admin, "the programmes", reverse("programmes:programme_list"), has_table=True)
    _visit(admin, "the programme page", dalarna, has_table=True)
    _submit_empty(admin, "main form[method=post]:not([action])", "the equivalence form sent empty")
    assert path(admin) == dalarna

    national = new_page()
    log_in(national, national_admin, check_start=False)
    _visit(national, "the national page", reverse("portal:national"), has_table=True)
    _visit(
        national, "the programmes, nationally", reverse("programmes:programme_list"), has_table=True
    )
    _visit(
        national,
        "the national programme's page",
        reverse("programmes:programme_detail", args=[nationwide.pk]),
        has_table=True,
    )
    _visit(national, "a region's programme, read only", dalarna, has_table=True)


def test_public_pages(portal, personas, new_page):
    page = new_page()
    _visit(page, "the log-in page", reverse("account_login"))
    _visit(page, "the password reset page", reverse("account_reset_password"))
    _visit(
        page,
        "the certificate check, unknown code",
        reverse("reporting:certificate_verify", args=["OKAND123"]),
        status=404,
    )
    _visit(
        page,
        "the certificate check",
        reverse("reporting:certificate_verify", args=[portal.certificate.code]),
    )
    _visit(page, "the 404 page", "/finns-inte/", status=404)
    _visit(page, "the privacy notice", reverse("privacy:page", args=["privacy"]))
    _visit(page, "the accessibility statement", reverse("privacy:page", args=["accessibility"]))

    # Someone who has an account but no role yet, on their start page and a missing one.
    no_role = new_page()
    log_in(no_role, personas.no_role)
    _visit(no_role, "the 404 page, logged in", "/finns-inte/", status=404)


def test_an_import_preview_shows_each_rows_errors_in_view(world, personas, page, tmp_path):
    """A file with all nine columns, long values and a rejected row: at 1366 px the reason
    is in view without scrolling sideways, under its row; the page passes the sweep."""
    header = "Förnamn;Efternamn;E-post;Anställningsnummer;Förvaltning;Verksamhetsområde;"
    header += "Befattning;Chef sedan;Slutat"
    rows = [
        "Anna-Karin;Bergström-Wikander;anna-karin.bergstrom-wikander@borlange.se;100234;"
        "Vård- och omsorgsförvaltningen;Äldreomsorg/hemtjänst;Enhetschef;2024-03-01;",
        "Örjan;Ås;inte-en-adress;100235;Socialförvaltningen;Okänt område;Enhetschef;2024-13-01;",
    ]
    file = tmp_path / "chefer.csv"
    file.write_bytes(("\ufeff" + "\r\n".join([header, *rows]) + "\r\n").encode("utf-8"))
    log_in(page, personas.hr_borlange, check_start=False)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(reverse("enrolment:participant_import"))
    page.locator("main input[type=file]").set_input_files(str(file))
    submit(page, "main form[enctype='multipart/form-data']")

    details = page.locator("main tr.import-details.table-danger li")
    assert details.count() == 3, details.all_inner_texts()
    for item in details.all():
        box = item.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1366, item.inner_text()
    check_page(page, "the import preview with errors", HTML_PAGES)
