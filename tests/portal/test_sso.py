"""Single sign-on settings that need no browser: providers on the log-in page, local
passwords off, and the rule for who an identity may become (the redirect flow itself is
in tests/browser/test_sso.py)."""

import pytest
from allauth.socialaccount.models import SocialApp
from django.urls import reverse

from portal.accounts.models import IdentityProvider
from tests.factories import PASSWORD


@pytest.fixture
def falun_provider(world):
    app = SocialApp.objects.create(
        provider="openid_connect",
        provider_id="falun",
        name="Falu kommun",
        client_id="portal",
        secret="secret",
        settings={"server_url": "http://127.0.0.1:9/"},
    )
    return IdentityProvider.objects.create(
        app=app, municipality=world.falun, email_domains="falun.se, @Falun.SE"
    )


def test_a_provider_added_in_the_admin_appears_on_the_log_in_page_at_once(client, falun_provider):
    page = client.get(reverse("account_login")).content.decode()
    assert "Falu kommun" in page
    assert 'action="/konto/oidc/falun/login/"' in page


def test_a_provider_vouches_only_for_its_domains(falun_provider):
    assert falun_provider.vouches_for("Anna@FALUN.se")
    assert not falun_provider.vouches_for("anna@borlange.se")
    assert not falun_provider.vouches_for("anna@evil-falun.se")


def test_local_passwords_off_refuses_the_password_for_that_domain_only(
    client, personas, falun_provider
):
    falun_provider.local_passwords_off = True
    falun_provider.save()
    login = reverse("account_login")
    refused = client.post(login, {"login": "hr@falun.se", "password": PASSWORD})
    # Answered with the log-in form and its error: a failed post.
    assert refused.status_code == 422
    assert "loggar in dig med sitt eget konto" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    allowed = client.post(login, {"login": "hr@borlange.se", "password": PASSWORD})
    assert allowed.status_code == 302


def test_local_passwords_stay_on_unless_turned_off(client, personas, falun_provider):
    response = client.post(reverse("account_login"), {"login": "hr@falun.se", "password": PASSWORD})
    assert response.status_code == 302


def test_the_log_in_page_lets_its_provider_buttons_leave_for_the_provider_only(
    client, falun_provider
):
    policy = client.get(reverse("account_login"))["Content-Security-Policy"]
    form_action = next(d for d in policy.split("; ") if d.startswith("form-action"))
    assert form_action == "form-action 'self' http://127.0.0.1:9"
    other = client.get(reverse("account_reset_password"))["Content-Security-Policy"]
    assert "form-action 'self';" in other + ";"
    assert "127.0.0.1:9" not in other


def test_a_password_reset_for_a_single_sign_on_domain_sends_no_reset_link(
    client, personas, falun_provider, mailoutbox
):
    falun_provider.local_passwords_off = True
    falun_provider.save()
    response = client.post(reverse("account_reset_password"), {"email": "hr@falun.se"})
    assert response.status_code == 302
    (mail,) = mailoutbox
    assert mail.to == ["hr@falun.se"]
    assert "loggar in dig med sitt eget konto" in mail.body
    assert "/konto/password/reset/key/" not in mail.body


def test_a_password_reset_elsewhere_still_sends_its_link(
    client, personas, falun_provider, mailoutbox
):
    falun_provider.local_passwords_off = True
    falun_provider.save()
    client.post(reverse("account_reset_password"), {"email": "hr@borlange.se"})
    (mail,) = mailoutbox
    assert "/konto/password/reset/key/" in mail.body
