"""Certificates: the public check page, revoking, and a code that never changes."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reporting.models import Certificate, ReportKind, ReportScope
from reporting.services.certificates import certificate_issue, certificate_revoke
from reporting.services.requests import report_request, report_run
from tests import factories as f

from .conftest import complete, pdf_text

pytestmark = pytest.mark.usefixtures("media_root")


@pytest.fixture
def certificate(completed, today):
    return certificate_issue(participant=completed, on=today)


def test_the_check_page_confirms_a_valid_certificate_without_log_in(client, world, certificate):
    response = client.get(reverse("reporting:certificate_verify", args=[certificate.code]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Märta Ståhl" in html
    assert world.programme.title in html
    assert certificate.issued_on.isoformat() in html


def test_the_check_page_shows_nothing_but_name_programme_and_date(
    client, world, certificate, completed
):
    response = client.get(reverse("reporting:certificate_verify", args=[certificate.code]))
    html = response.content.decode()
    for private in (
        completed.email,
        world.borlange.name,
        world.borlange_social.name,
        "Ledarskapets juridik",  # a course
        "7,5",
        "7.5",
    ):
        assert private not in html, private
    shown = response.context["certificate"]
    assert shown == certificate


def test_the_check_page_accepts_the_code_in_lower_case(client, certificate):
    url = reverse("reporting:certificate_verify", args=[certificate.code.lower()])
    assert client.get(url).status_code == 200


def test_an_unknown_code_is_a_404_page_that_says_so(client, certificate):
    response = client.get(reverse("reporting:certificate_verify", args=["NOSUCHCODE2345"]))
    assert response.status_code == 404
    assert response.context["certificate"] is None
    assert "Märta" not in response.content.decode()


def test_a_revoked_certificate_is_reported_revoked_and_nameless(client, personas, certificate):
    certificate_revoke(certificate=certificate, actor=personas.programme_admin, reason="Fel")
    response = client.get(reverse("reporting:certificate_verify", args=[certificate.code]))
    assert response.status_code == 200
    assert response.context["certificate"].is_revoked
    assert "Märta" not in response.content.decode()


@pytest.mark.parametrize(
    "persona",
    ["hr_borlange", "hr_falun", "head_borlange", "head_borlange_social", "council", "manager",
     "no_role"],
)  # fmt: skip
def test_only_the_programme_administrator_may_revoke(client, personas, certificate, persona):
    client.force_login(personas.all()[persona])
    url = reverse("reporting:certificate_revoke", args=[certificate.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "Fel"}).status_code == 404
    certificate.refresh_from_db()
    assert not certificate.is_revoked


def test_the_programme_administrator_revokes_with_a_reason(client, personas, certificate):
    client.force_login(personas.programme_admin)
    url = reverse("reporting:certificate_revoke", args=[certificate.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": ""}).status_code == 400
    response = client.post(url, {"reason": "Beslutet om tillgodoräknande upphävt"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.is_revoked
    assert certificate.revoked_by == personas.programme_admin
    assert certificate.revoke_reason == "Beslutet om tillgodoräknande upphävt"


def test_a_programme_administrator_of_another_region_gets_404(client, certificate):
    other = f.RegionFactory(county_code="21", name="Gävleborg", short_name="X")
    admin = f.UserFactory(email="admin@gavleborg.se")
    f.RoleAssignmentFactory(user=admin, role="programme_admin", region=other)
    client.force_login(admin)
    assert (
        client.get(reverse("reporting:certificate_revoke", args=[certificate.pk])).status_code
        == 404
    )


def test_an_unknown_certificate_is_404_for_revoking(client, personas):
    client.force_login(personas.programme_admin)
    assert client.get(reverse("reporting:certificate_revoke", args=[99999])).status_code == 404


def test_regenerating_keeps_the_code(world, personas, completed, today):
    scope = ReportScope(participant=completed)
    first = report_request(user=personas.manager, kind=ReportKind.CERTIFICATE, scope=scope)
    first = report_run(report_id=first.pk, task_id=first.task_id)
    code = Certificate.objects.get(participant=completed).code
    second = report_request(
        user=personas.programme_admin, kind=ReportKind.CERTIFICATE, scope=scope, language="en"
    )
    second = report_run(report_id=second.pk, task_id=second.task_id)
    assert Certificate.objects.filter(participant=completed).count() == 1
    assert Certificate.objects.get(participant=completed).code == code
    for report in (first, second):
        with report.file.open("rb") as handle:
            assert code in pdf_text(handle.read())


def test_a_revoked_certificate_is_not_made_again(personas, certificate, completed):
    certificate_revoke(certificate=certificate, actor=personas.programme_admin, reason="Fel")
    with pytest.raises(ValidationError) as refused:
        report_request(
            user=personas.manager,
            kind=ReportKind.CERTIFICATE,
            scope=ReportScope(participant=completed),
        )
    assert refused.value.code == "revoked"


def test_an_exempt_manager_gets_no_certificate(world, personas, today):
    exempt = f.ParticipantFactory(municipality=world.borlange)
    f.CreditTransferFactory(participant=exempt, programme=world.programme, kind="exemption")
    with pytest.raises(ValidationError) as refused:
        certificate_issue(participant=exempt, on=today)
    assert refused.value.code == "not_complete"


def test_codes_are_unguessable_and_distinct(world, today):
    codes = set()
    for _ in range(5):
        person = complete(f.ParticipantFactory(municipality=world.falun), world)
        codes.add(certificate_issue(participant=person, on=today).code)
    assert len(codes) == 5
    assert all(len(code) == 16 and code.isalnum() and code.isupper() for code in codes)


def test_revoking_twice_is_refused(personas, certificate):
    certificate_revoke(certificate=certificate, actor=personas.programme_admin, reason="Fel")
    with pytest.raises(ValidationError):
        certificate_revoke(certificate=certificate, actor=personas.programme_admin, reason="Igen")
