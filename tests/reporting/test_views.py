"""The reports page and its URLs against every persona: who sees what, and who gets 404."""

import time
import uuid
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from portal.accounts.models import RoleAssignment
from reporting.models import (
    Failure,
    ReportKind,
    ReportRequest,
    ReportScope,
    ReportState,
    ReportSubscription,
)
from reporting.services.certificates import certificate_issue
from reporting.tasks import build_report

pytestmark = pytest.mark.usefixtures("media_root")

ALL = {
    "programme_admin",
    "hr_falun",
    "hr_borlange",
    "head_borlange",
    "head_borlange_social",
    "council",
    "manager",
    "no_role",
}
PDF = b"%PDF-1.7 test file"


def _done(kind, scope, user, **fields):
    report = ReportRequest.objects.create(
        kind=kind,
        requested_by=user,
        data_date=timezone.localdate(),
        language="sv",
        state=ReportState.DONE,
        progress=100,
        task_id=str(uuid.uuid4()),
        **scope.fields(),
        **fields,
    )
    report.file.save(f"test/{report.pk}.pdf", ContentFile(PDF), save=True)
    return report


@pytest.fixture
def reports(world, personas, completed, today):
    certificate_issue(participant=completed, on=today)
    return {
        "progress_borlange": _done(
            ReportKind.PROGRESS, ReportScope(municipality=world.borlange), personas.hr_borlange
        ),
        "progress_borlange_social": _done(
            ReportKind.PROGRESS,
            ReportScope.of_administration(world.borlange_social),
            personas.head_borlange_social,
        ),
        "compliance_borlange": _done(
            ReportKind.COMPLIANCE, ReportScope(municipality=world.borlange), personas.hr_borlange
        ),
        "progress_falun": _done(
            ReportKind.PROGRESS, ReportScope(municipality=world.falun), personas.hr_falun
        ),
        "regional": _done(ReportKind.REGIONAL, ReportScope(region=world.region), personas.council),
        "certificate": _done(
            ReportKind.CERTIFICATE, ReportScope(participant=completed), personas.manager
        ),
    }


REPORT_ACCESS = {
    "progress_borlange": {"programme_admin", "hr_borlange", "head_borlange"},
    "progress_borlange_social": {
        "programme_admin",
        "hr_borlange",
        "head_borlange",
        "head_borlange_social",
    },
    "compliance_borlange": {"programme_admin", "hr_borlange", "head_borlange"},
    "progress_falun": {"programme_admin", "hr_falun"},
    "regional": {"programme_admin", "council"},
    "certificate": {"programme_admin", "manager"},
}


def _answers(client, personas, method, url, **data):
    """The status code each persona gets for a URL."""
    codes = {}
    for name, user in personas.all().items():
        client.force_login(user)
        codes[name] = getattr(client, method)(url, data).status_code
    return codes


@pytest.mark.parametrize("name", sorted(REPORT_ACCESS))
def test_a_report_file_is_served_only_within_scope(client, personas, reports, name):
    url = reverse("reporting:report_download", args=[reports[name].pk])
    codes = _answers(client, personas, "get", url)
    assert codes == {p: 200 if p in REPORT_ACCESS[name] else 404 for p in ALL}
    client.force_login(personas.programme_admin)
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("name", sorted(REPORT_ACCESS))
def test_a_reports_progress_is_shown_only_within_scope(client, personas, reports, name):
    codes = _answers(
        client, personas, "get", reverse("reporting:report_status", args=[reports[name].pk])
    )
    assert codes == {p: 200 if p in REPORT_ACCESS[name] else 404 for p in ALL}


def test_hr_of_falun_gets_404_for_the_borlange_report_file(client, personas, reports):
    client.force_login(personas.hr_falun)
    url = reverse("reporting:report_download", args=[reports["progress_borlange"].pk])
    assert client.get(url).status_code == 404


def test_a_requester_who_lost_the_role_gets_404_for_their_own_report(client, personas, reports):
    report = reports["progress_borlange"]
    assert report.requested_by == personas.hr_borlange
    RoleAssignment.objects.filter(user=personas.hr_borlange).delete()
    client.force_login(personas.hr_borlange)
    assert client.get(reverse("reporting:report_download", args=[report.pk])).status_code == 404


def test_an_unknown_report_is_404(client, personas):
    client.force_login(personas.programme_admin)
    assert client.get(reverse("reporting:report_download", args=[99999])).status_code == 404
    assert client.get(reverse("reporting:report_status", args=[99999])).status_code == 404


def test_a_report_still_being_made_sends_the_download_link_to_the_list(client, personas, reports):
    report = reports["progress_borlange"]
    ReportRequest.objects.filter(pk=report.pk).update(state=ReportState.RUNNING)
    client.force_login(personas.hr_borlange)
    response = client.get(reverse("reporting:report_download", args=[report.pk]))
    assert response.status_code == 302
    assert response.url == reverse("reporting:report_list")


def test_the_row_of_an_active_report_polls_and_a_finished_one_does_not(client, personas, reports):
    report = reports["progress_borlange"]
    url = reverse("reporting:report_status", args=[report.pk])
    client.force_login(personas.hr_borlange)

    ReportRequest.objects.filter(pk=report.pk).update(state=ReportState.RUNNING, progress=40)
    running = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert f'hx-get="{url}"' in running
    assert 'hx-trigger="every 2s"' in running
    assert 'aria-valuenow="40"' in running
    assert "<html" not in running  # a row, swapped in place: no page reload

    ReportRequest.objects.filter(pk=report.pk).update(state=ReportState.DONE, progress=100)
    done = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-get" not in done
    assert reverse("reporting:report_download", args=[report.pk]) in done


# --- The page and ordering ---------------------------------------------------------------

PAGE_ACCESS = ALL - {"no_role"}


def test_the_reports_page_is_for_every_role(client, personas):
    codes = _answers(client, personas, "get", reverse("reporting:report_list"))
    assert codes == {p: 200 if p in PAGE_ACCESS else 404 for p in ALL}


ORDER_ACCESS = {
    ReportKind.PROGRESS: {
        "programme_admin",
        "hr_falun",
        "hr_borlange",
        "head_borlange",
        "head_borlange_social",
    },
    ReportKind.COMPLIANCE: {"programme_admin", "hr_falun", "hr_borlange", "head_borlange"},
    ReportKind.REGIONAL: {"programme_admin", "council"},
    ReportKind.CERTIFICATE: {"programme_admin", "manager"},
}


@pytest.mark.parametrize("kind", list(ORDER_ACCESS))
def test_each_role_is_offered_only_the_reports_it_may_order(client, personas, kind):
    codes = _answers(client, personas, "post", reverse("reporting:report_order", args=[kind]))
    # Allowed, but nothing chosen: the form again, with its errors, and no report.
    assert codes == {p: 400 if p in ORDER_ACCESS[kind] else 404 for p in ALL}
    assert not ReportRequest.objects.exists()


def test_hr_orders_a_progress_report_and_sees_it_listed(client, world, personas):
    client.force_login(personas.hr_borlange)
    response = client.post(
        reverse("reporting:report_order", args=["progress"]),
        {"scope_choice": f"m{world.borlange.pk}"},
    )
    assert response.status_code == 302
    report = ReportRequest.objects.get()
    assert (report.kind, report.municipality, report.administration) == (
        ReportKind.PROGRESS,
        world.borlange,
        None,
    )
    assert report.requested_by == personas.hr_borlange
    page = client.get(reverse("reporting:report_list"))
    assert page.context["reports"] == [report]
    assert 'hx-trigger="every 2s"' in page.content.decode()


def test_hr_of_falun_cannot_order_a_borlange_report(client, world, personas):
    client.force_login(personas.hr_falun)
    for kind, data in (
        ("progress", {"scope_choice": f"m{world.borlange.pk}"}),
        ("progress", {"scope_choice": f"a{world.borlange_social.pk}"}),
        ("compliance", {"municipality": world.borlange.pk}),
    ):
        response = client.post(reverse("reporting:report_order", args=[kind]), data)
        assert response.status_code == 400
        assert response.context["order_forms"]
    assert not ReportRequest.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"scope_choice": "m"},
        {"scope_choice": "x1"},
        {"scope_choice": "m999999"},
        {"scope_choice": "<script>"},
        {"scope_choice": ["m1", "m2"]},
    ],
)
def test_bad_order_input_gives_the_form_again_never_500(client, personas, data):
    client.force_login(personas.hr_borlange)
    response = client.post(reverse("reporting:report_order", args=["progress"]), data)
    assert response.status_code == 400
    bound = next(f for f in response.context["order_forms"] if f.kind == "progress")
    assert "scope_choice" in bound.errors


def test_an_unknown_kind_of_report_is_404(client, personas):
    client.force_login(personas.programme_admin)
    assert client.post("/rapporter/bestall/secret/", {}).status_code == 404


def test_head_of_one_administration_orders_only_within_it(client, world, personas):
    client.force_login(personas.head_borlange_social)
    page = client.get(reverse("reporting:report_list"))
    kinds = [form.kind for form in page.context["order_forms"]]
    assert kinds == [ReportKind.PROGRESS]
    choices = dict(page.context["order_forms"][0].scopes)
    assert set(choices) == {f"a{world.borlange_social.pk}"}


def test_the_page_shows_why_a_report_failed(
    client, world, personas, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError as BrokerDown

    def down(*args, **kwargs):
        raise BrokerDown("Connection refused")

    monkeypatch.setattr(build_report, "apply_async", down)
    client.force_login(personas.hr_borlange)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reporting:report_order", args=["compliance"]),
            {"municipality": world.borlange.pk},
        )
    report = ReportRequest.objects.get()
    assert report.state == ReportState.FAILED
    assert report.failure == Failure.BROKER_UNAVAILABLE
    page = client.get(reverse("reporting:report_list"))
    assert page.context["reports"] == [report]
    html = page.content.decode()
    with translation.override("sv"):
        assert f'<span class="report-error">{escape(report.error_message)}</span>' in html


def test_a_second_order_of_the_same_report_gets_the_same_request(client, world, personas):
    client.force_login(personas.hr_borlange)
    url = reverse("reporting:report_order", args=["progress"])
    client.post(url, {"scope_choice": f"m{world.borlange.pk}"})
    client.force_login(personas.head_borlange)
    client.post(url, {"scope_choice": f"m{world.borlange.pk}"})
    assert ReportRequest.objects.count() == 1


def test_a_manager_who_has_not_completed_is_told_and_refused(client, world, personas):
    client.force_login(personas.manager)
    page = client.get(reverse("reporting:report_list"))
    assert page.context["order_forms"] == []
    assert page.context["own_certificate"]["complete"] is False
    response = client.post(reverse("reporting:report_order", args=["certificate"]))
    assert response.status_code == 400
    assert not ReportRequest.objects.exists()


def test_a_manager_who_completed_orders_their_certificate(client, personas, completed):
    client.force_login(personas.manager)
    page = client.get(reverse("reporting:report_list"))
    assert [form.kind for form in page.context["order_forms"]] == [ReportKind.CERTIFICATE]
    response = client.post(reverse("reporting:report_order", args=["certificate"]))
    assert response.status_code == 302
    assert ReportRequest.objects.get().participant == completed


def test_programme_admin_orders_a_certificate_by_e_mail_address(client, personas, completed):
    client.force_login(personas.programme_admin)
    url = reverse("reporting:report_order", args=["certificate"])
    assert client.post(url, {"email": "nobody@example.se"}).status_code == 400
    assert client.post(url, {"email": completed.email.upper()}).status_code == 302
    assert ReportRequest.objects.get().participant == completed


@pytest.mark.parametrize("size", [10, 200])
def test_the_reports_page_runs_a_fixed_number_of_queries(
    client, world, personas, django_assert_max_num_queries, size
):
    ReportRequest.objects.bulk_create(
        ReportRequest(
            kind=ReportKind.PROGRESS,
            requested_by=personas.programme_admin,
            municipality=world.borlange,
            data_date=timezone.localdate(),
            language="sv",
            state=ReportState.FAILED,
        )
        for _ in range(size)
    )
    client.force_login(personas.programme_admin)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("reporting:report_list"))
    assert response.status_code == 200


# --- Subscriptions -------------------------------------------------------------------


def test_subscribing_is_for_those_who_may_order_progress(client, world, personas):
    url = reverse("reporting:subscription_create")
    codes = _answers(
        client, personas, "post", url, kind="progress", scope_choice=f"m{world.borlange.pk}"
    )
    subscribers = {"programme_admin", "hr_borlange", "head_borlange"}
    # HR of Falun and the head of one administration may subscribe, but not to Borlänge.
    assert codes == {
        p: 302 if p in subscribers else 400 if p in {"hr_falun", "head_borlange_social"} else 404
        for p in ALL
    }
    users = set(ReportSubscription.objects.values_list("user__email", flat=True))
    assert users == {personas.all()[p].email for p in subscribers}


def test_the_compliance_report_is_subscribed_for_a_whole_municipality(client, world, personas):
    client.force_login(personas.hr_borlange)
    response = client.post(
        reverse("reporting:subscription_create"),
        {"kind": "compliance", "scope_choice": f"a{world.borlange_social.pk}"},
    )
    assert response.status_code == 400
    assert "scope_choice" in response.context["subscription_form"].errors


def test_a_subscription_is_ended_only_by_its_owner(client, world, personas):
    subscription = ReportSubscription.objects.create(
        user=personas.head_borlange, kind="progress", municipality=world.borlange
    )
    url = reverse("reporting:subscription_end", args=[subscription.pk])
    client.force_login(personas.hr_borlange)
    assert client.post(url).status_code == 404
    client.force_login(personas.head_borlange)
    assert client.post(url).status_code == 302
    subscription.refresh_from_db()
    assert subscription.active is False


# --- Anonymous -----------------------------------------------------------------------


def test_anonymous_users_are_sent_to_log_in(client, reports):
    report = reports["progress_borlange"]
    for method, url in (
        ("get", reverse("reporting:report_list")),
        ("get", reverse("reporting:report_status", args=[report.pk])),
        ("get", reverse("reporting:report_download", args=[report.pk])),
        ("post", reverse("reporting:report_order", args=["progress"])),
        ("post", reverse("reporting:subscription_create")),
        ("post", reverse("reporting:subscription_end", args=[1])),
        ("get", reverse("reporting:certificate_revoke", args=[1])),
    ):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("account_login")), url


# --- Period, date, and the row just ordered ----------------------------------------------


def _order_regional(client, world, **data):
    return client.post(
        reverse("reporting:report_order", args=["regional"]),
        {"region": world.region.pk, "period_first": "HT2022", "period_last": "VT2024", **data},
    )


def test_the_council_orders_the_regional_follow_up_for_a_period_and_a_date(client, world, personas):
    client.force_login(personas.council)
    response = _order_regional(client, world, report_date="2025-03-31")
    report = ReportRequest.objects.get()
    assert (report.period_first, report.period_last) == ("HT2022", "VT2024")
    assert report.period_label == "HT2022–VT2024"
    assert report.data_date == date(2025, 3, 31)
    assert response.status_code == 302
    assert response.url == reverse("reporting:report_list") + f"?report={report.pk}"

    page = client.get(response.url).content.decode()
    row = page[page.index(f'id="report-{report.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "data-new-report" in row
    assert "HT2022–VT2024" in row
    assert 'role="progressbar"' in row  # queued: its progress is shown
    assert "I kö" in row
    announcement = page[page.index('id="report-announcement"') :].split(">")[0]
    assert 'role="status"' in announcement
    assert f"({report.reference}) är beställd" in announcement


def test_another_period_is_another_report(client, world, personas):
    client.force_login(personas.council)
    _order_regional(client, world)
    _order_regional(client, world, period_first="HT2023")
    assert ReportRequest.objects.count() == 2


def test_the_list_marks_no_row_for_a_report_it_does_not_show(client, world, personas):
    client.force_login(personas.council)
    _order_regional(client, world)
    report = ReportRequest.objects.get()
    client.force_login(personas.hr_falun)
    page = client.get(reverse("reporting:report_list") + f"?report={report.pk}").content
    assert b"data-new-report" not in page
    assert b"data-announce" not in page
    assert client.get(reverse("reporting:report_list") + "?report=x").status_code == 200


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"period_first": "VT2024", "period_last": "HT2022"}, "kan inte komma före"),
        ({"period_last": "HT2099"}, "Välj ett giltigt alternativ"),
        ({"report_date": "2023-03-01"}, "kan inte komma efter avstämningsdatumets termin (VT2023)"),
        ({"report_date": "2999-01-01"}, "kan inte ligga i framtiden"),
        ({"report_date": "31/3"}, "Fyll i ett giltigt datum"),
    ],
)
def test_a_bad_period_or_date_is_refused_in_words_and_nothing_is_ordered(
    client, world, personas, data, words
):
    client.force_login(personas.council)
    response = _order_regional(client, world, **data)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not ReportRequest.objects.exists()


def test_hr_orders_a_progress_report_for_an_earlier_date(client, world, personas):
    client.force_login(personas.hr_borlange)
    client.post(
        reverse("reporting:report_order", args=["progress"]),
        {"scope_choice": f"m{world.borlange.pk}", "report_date": "2024-12-31"},
    )
    report = ReportRequest.objects.get()
    assert report.data_date == date(2024, 12, 31)
    assert report.period is None


def test_without_a_broker_the_order_is_answered_at_once_and_the_report_shown_queued(
    transactional_db, client, world, personas, completed, media_root
):
    """As `make run` without REDIS_URL: the report is made in a thread of the site's
    process after the answer, so the page shows it queued or being made, then done."""
    import psycopg
    from django.db import connection

    from portal.celery import app as celery_app

    s = connection.settings_dict
    lock = psycopg.connect(
        dbname=s["NAME"],
        user=s.get("USER") or "postgres",
        host=s.get("HOST") or "127.0.0.1",
        port=s.get("PORT") or 5432,
    )
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        # The build waits for the enrolments, mid-report, until the test lets it go.
        lock.execute("LOCK TABLE enrolment_enrolment IN ACCESS EXCLUSIVE MODE")
        client.force_login(personas.hr_borlange)
        response = client.post(
            reverse("reporting:report_order", args=["progress"]),
            {"scope_choice": f"m{world.borlange.pk}"},
            follow=True,
        )
        report = ReportRequest.objects.get()
        html = response.content.decode()
        row = html[html.index(f'id="report-{report.pk}"') :]
        row = row[: row.index("</tr>")]
        assert 'role="progressbar"' in row
        assert "hx-get" in row
        assert ReportRequest.objects.get().state in (ReportState.QUEUED, ReportState.RUNNING)
        lock.rollback()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            report.refresh_from_db()
            if not report.is_active:
                break
            time.sleep(0.1)
    finally:
        celery_app.conf.task_always_eager = before
        lock.rollback()
        lock.close()
    assert report.state == ReportState.DONE, report.error_message
    status = client.get(reverse("reporting:report_status", args=[report.pk])).content.decode()
    assert reverse("reporting:report_download", args=[report.pk]) in status
