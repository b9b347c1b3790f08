from django.urls import reverse

from portal.accounts.models import User


def test_pages_are_swedish_by_default_even_when_the_browser_asks_for_english(client, db):
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert '<html lang="sv">' in html
    assert "Logga in" in html
    assert response["Content-Language"] == "sv"


def test_language_switch_gives_english_and_back(client, db):
    client.post(reverse("portal:set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("account_login")).content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html
    client.post(reverse("portal:set_language"), {"language": "sv", "next": "/"})
    assert "Logga in" in client.get(reverse("account_login")).content.decode()


def test_language_choice_is_kept_on_the_account(client, personas):
    client.force_login(personas.hr_borlange)
    client.post(reverse("portal:set_language"), {"language": "en", "next": "/"})
    assert User.objects.get(pk=personas.hr_borlange.pk).preferred_language == "en"
    client.cookies.clear()
    client.force_login(personas.hr_borlange)
    html = client.get(reverse("portal:hr_admin")).content.decode()
    assert "HR administration" in html


def test_an_unknown_language_is_ignored(client, db):
    response = client.post(reverse("portal:set_language"), {"language": "xx", "next": "/"})
    assert response.status_code == 302
    assert "Logga in" in client.get(reverse("account_login")).content.decode()


def test_dashboards_are_translated(client, personas):
    client.force_login(personas.council)
    html = client.get(reverse("portal:council")).content.decode()
    assert "Regional uppföljning" in html
    assert "Kommun" in html
