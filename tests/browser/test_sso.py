"""Sign-in through real identity providers run by the tests on 127.0.0.1, the whole
redirect flow in Chromium: OpenID Connect (npm oidc-provider: the portal's button, the
provider's log-in and consent pages, the callback with PKCE) and SAML 2.0 (pysaml2 with
xmlsec1: a signed response posted to the portal's ACS), and the page one lands on."""

import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from allauth.socialaccount.models import SocialAccount, SocialApp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

from enrolment.models import Participant
from portal.accounts.models import IdentityProvider, Role, User
from portal.middleware import SessionTimeoutMiddleware
from tests import factories as f

from .helpers import check_accessibility, path

pytestmark = pytest.mark.browser

IDP_SCRIPT = Path(__file__).parent / "idp" / "oidc.mjs"
CLIENT_ID, CLIENT_SECRET = "ledarskapsportalen", "sign-in-tests-secret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def oidc_provider(site):
    """The provider process, its client registered with the live server's callback."""
    port = _free_port()
    callback = site + reverse("openid_connect_callback", kwargs={"provider_id": "falun"})
    process = subprocess.Popen(
        ["node", str(IDP_SCRIPT), str(port), CLIENT_ID, CLIENT_SECRET, callback],
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("ready"), f"the provider did not start: {line!r}"
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def falun_sign_in(world, oidc_provider):
    app = SocialApp.objects.create(
        provider="openid_connect",
        provider_id="falun",
        name="Falu kommun",
        client_id=CLIENT_ID,
        secret=CLIENT_SECRET,
        settings={
            "server_url": oidc_provider,
            "token_auth_method": "client_secret_post",
            "oauth_pkce_enabled": True,
        },
    )
    return IdentityProvider.objects.create(
        app=app, municipality=world.falun, email_domains="falun.se"
    )


def _sign_in(page, login: str) -> None:
    page.goto(reverse("account_login"))
    check_accessibility(page, "the log-in page with a provider's button")
    with page.expect_navigation():
        page.get_by_role("button", name="Falu kommun").click()
    # The provider's own pages: its log-in form, then its consent.
    page.wait_for_url("http://127.0.0.1:*/**")
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password")
    page.locator("button[type=submit]").click()
    page.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: not url.startswith("http://127.0.0.1:"))


def test_a_known_address_signs_in_to_its_account(personas, page, falun_sign_in):
    _sign_in(page, "hr@falun.se")
    assert path(page) == reverse("portal:hr_admin")
    account = SocialAccount.objects.get(provider="falun")
    assert account.user == personas.hr_falun
    roles = set(personas.hr_falun.role_assignments.values_list("role", flat=True))
    assert roles == {Role.HR_ADMIN}
    # The session's idle and absolute clocks start at this log-in as at a password one.
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    session = SessionStore(cookies[settings.SESSION_COOKIE_NAME])
    assert session[SessionTimeoutMiddleware.STARTED] == session[SessionTimeoutMiddleware.SEEN]


def test_an_unknown_address_is_refused(personas, page, falun_sign_in):
    _sign_in(page, "okand@falun.se")
    assert page.locator("h1").inner_text() == "Inloggningen nekades"
    assert not User.objects.filter(email="okand@falun.se").exists()
    page.goto(reverse("portal:home"))
    assert path(page) == reverse("account_login")


def test_an_address_the_provider_does_not_vouch_for_is_refused(personas, new_page, falun_sign_in):
    # Falun's provider cannot sign in Borlänge's HR administrator, nor an unverified address.
    for login in ("hr@borlange.se", "unverified.hr@falun.se"):
        page = new_page()
        _sign_in(page, login)
        assert page.locator("h1").inner_text() == "Inloggningen nekades"
    assert not SocialAccount.objects.exists()


def test_a_manager_gets_an_account_with_the_manager_role_and_nothing_more(
    world, personas, page, falun_sign_in
):
    participant = f.ParticipantFactory(
        municipality=world.falun, first_name="Greta", last_name="Nyström", email="Greta@Falun.se"
    )
    _sign_in(page, "greta@falun.se")
    assert path(page) == reverse("enrolment:my_programme")
    check_accessibility(page, "the manager's page after signing in")
    user = User.objects.get(email="greta@falun.se")
    assert list(user.role_assignments.values_list("role", flat=True)) == [Role.MANAGER]
    assert Participant.objects.get(pk=participant.pk).user == user
    assert not user.has_usable_password()


def test_log_out_ends_the_session_and_offers_the_providers_log_out(
    personas, page, falun_sign_in, oidc_provider
):
    _sign_in(page, "hr@falun.se")
    page.goto(reverse("account_logout"))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert path(page) == reverse("account_login")
    offer = page.get_by_role("link", name="Falu kommun")
    assert offer.get_attribute("href").startswith(f"{oidc_provider}/session/end?client_id=")
    page.goto(reverse("portal:home"))
    assert path(page) == reverse("account_login")


# SAML 2.0 against a pysaml2 identity provider (signed with Debian's xmlsec1) ---------------

SAML_IDP_SCRIPT = Path(__file__).parent / "idp" / "saml_idp.py"


def _self_signed(tmp_path) -> tuple[Path, Path, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test IdP")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=2))
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    cert_file, key_file = tmp_path / "idp.crt", tmp_path / "idp.key"
    cert_file.write_bytes(cert_pem)
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    body = "".join(cert_pem.decode().strip().splitlines()[1:-1])
    return cert_file, key_file, body


@pytest.fixture
def saml_sign_in(world, site, tmp_path):
    """Falun's SAML provider: the app in the portal, then the IdP with the portal's SP
    metadata as the portal serves it."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    cert_file, key_file, cert_body = _self_signed(tmp_path)
    app = SocialApp.objects.create(
        provider="saml",
        provider_id="falun-saml",
        client_id="falun-saml",
        name="Falu kommun (SAML)",
        settings={
            "idp": {
                "entity_id": f"{base}/metadata",
                "sso_url": f"{base}/sso",
                "x509cert": cert_body,
            },
            "verified_email": True,
        },
    )
    IdentityProvider.objects.create(app=app, municipality=world.falun, email_domains="falun.se")
    metadata = requests.get(
        site + reverse("saml_metadata", kwargs={"organization_slug": "falun-saml"}), timeout=10
    )
    metadata.raise_for_status()
    metadata_file = tmp_path / "sp.xml"
    metadata_file.write_bytes(metadata.content)
    process = subprocess.Popen(
        [sys.executable, str(SAML_IDP_SCRIPT), str(port), cert_file, key_file, metadata_file],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("ready"), f"the SAML provider did not start: {line!r}"
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _saml_sign_in(page, email: str) -> None:
    page.goto(reverse("account_login"))
    with page.expect_navigation():
        page.get_by_role("button", name="Falu kommun (SAML)").click()
    page.wait_for_url("http://127.0.0.1:*/**")
    page.locator("input[name=email]").fill(email)
    page.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: not url.startswith("http://127.0.0.1:"))
    page.wait_for_load_state()


def test_saml_a_known_address_signs_in_to_its_account(personas, page, saml_sign_in):
    _saml_sign_in(page, "hr@falun.se")
    assert path(page) == reverse("portal:hr_admin")
    assert SocialAccount.objects.get(user=personas.hr_falun).provider == "falun-saml"


def test_saml_an_unknown_address_or_another_domain_is_refused(personas, new_page, saml_sign_in):
    for email in ("okand@falun.se", "hr@borlange.se"):
        page = new_page()
        _saml_sign_in(page, email)
        assert page.locator("h1").inner_text() == "Inloggningen nekades"
    assert not SocialAccount.objects.exists()


def test_saml_a_manager_gets_the_manager_role_and_nothing_more(world, personas, page, saml_sign_in):
    participant = f.ParticipantFactory(municipality=world.falun, email="bo.ek@falun.se")
    _saml_sign_in(page, "bo.ek@falun.se")
    assert path(page) == reverse("enrolment:my_programme")
    user = User.objects.get(email="bo.ek@falun.se")
    assert list(user.role_assignments.values_list("role", flat=True)) == [Role.MANAGER]
    assert Participant.objects.get(pk=participant.pk).user == user
