import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD

LANDING = {
    "programme_admin": "portal:programme_admin",
    "hr_borlange": "portal:hr_admin",
    "head_borlange": "portal:head_of_administration",
    "council": "portal:council",
    "manager": "enrolment:my_programme",
}


@pytest.mark.parametrize("persona", sorted(LANDING))
def test_each_role_logs_in_by_email_and_lands_on_its_page(client, personas, persona):
    user = getattr(personas, persona)
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse(LANDING[persona])
    assert response.status_code == 200


def test_wrong_password_gives_a_message_in_swedish_and_422(client, personas):
    response = client.post(
        reverse("account_login"), {"login": personas.manager.email, "password": "fel"}
    )
    assert response.status_code == 422
    assert "lösenord" in response.content.decode().lower()


def test_user_without_role_sees_a_page_that_says_so(client, personas):
    client.force_login(personas.no_role)
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert "ingen roll" in response.content.decode().lower()


def test_nobody_can_sign_up(client, db):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "ny@example.se",
            "password1": "Ett-långt-lösen-1",
            "password2": "Ett-långt-lösen-1",
        },
    )
    assert response.status_code == 200
    from portal.accounts.models import User

    assert not User.objects.filter(email="ny@example.se").exists()


def test_password_reset_sends_an_email(client, personas):
    response = client.post(reverse("account_reset_password"), {"email": personas.manager.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert personas.manager.email in mail.outbox[0].to
    assert "/konto/password/reset/key/" in mail.outbox[0].body
