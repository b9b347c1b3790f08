"""Security headers read from real responses; session timeouts; password rules."""

import re
import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal.middleware import SessionTimeoutMiddleware
from tests.factories import PASSWORD

SEEN = SessionTimeoutMiddleware.SEEN
STARTED = SessionTimeoutMiddleware.STARTED


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


@pytest.mark.parametrize("page", ["account_login", "portal:programme_admin"])
def test_pages_carry_the_security_headers(client, personas, page):
    client.force_login(personas.programme_admin)
    if page == "account_login":
        client.logout()
    response = client.get(reverse(page))
    assert response.status_code == 200

    csp = _directives(response["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_pages_hold_no_inline_script_or_style(client, personas):
    client.force_login(personas.hr_borlange)
    for url in (reverse("portal:hr_admin"), reverse("enrolment:participant_list")):
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"<style\b", html), url
        assert not re.search(r"\sstyle=", html), url
        assert not re.search(r"\son[a-z]+=", html), url


def _age(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[{"seen": SEEN, "started": STARTED}[key]] = now - ago
    session.save()


def test_a_session_ends_after_thirty_idle_minutes(client, personas):
    client.force_login(personas.manager)
    _age(client, seen=31 * 60)
    response = client.get(reverse("enrolment:my_programme"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    assert "Du har loggats ut" in client.get(response.url).content.decode()


def test_a_session_in_use_stays_open(client, personas):
    client.force_login(personas.manager)
    _age(client, seen=29 * 60, started=9 * 60 * 60)
    assert client.get(reverse("enrolment:my_programme")).status_code == 200
    # The request counts as activity: the idle clock starts again.
    assert int(time.time()) - client.session[SEEN] < 5


def test_a_session_ends_ten_hours_after_log_in_however_active(client, personas):
    client.force_login(personas.manager)
    _age(client, seen=60, started=10 * 60 * 60 + 1)
    response = client.get(reverse("enrolment:my_programme"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_idle_limit_is_a_setting(client, personas, settings):
    settings.SESSION_IDLE_MINUTES = 5
    client.force_login(personas.manager)
    _age(client, seen=6 * 60)
    assert client.get(reverse("enrolment:my_programme")).status_code == 302


def test_a_request_reads_its_session_from_the_cache_and_without_it_from_the_database(
    client, personas
):
    from django.contrib.sessions.backends.cached_db import KEY_PREFIX
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(personas.manager)
    url = reverse("enrolment:my_programme")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert not [q for q in queries if "django_session" in q["sql"]]
    # Kept in the database too: gone from the cache (or with Redis down), the session holds.
    cache.delete(KEY_PREFIX + client.session.session_key)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert [q for q in queries if "django_session" in q["sql"]]


def test_log_in_offers_no_remember_me_and_sets_a_browser_session_cookie(client, personas):
    page = client.get(reverse("account_login")).content.decode()
    assert 'name="remember"' not in page
    response = client.post(
        reverse("account_login"), {"login": personas.manager.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert not cookie["expires"]
    assert not cookie["max-age"]


@pytest.mark.parametrize(
    "password",
    [
        "Sommar2026",
        "kommun12",
        "Dalarna!",
        "Sommar2026!!!",
        "Vinter-2025-2026",
        "Dalarna123456",
        "Borlängekommun2026",
        "Falun!!2026!!",
        "Lösenord12345",
        "Augusti2026##",
        "123456789012",
    ],
)
def test_guessable_passwords_are_refused(world, password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_long_password_of_unrelated_words_is_accepted(world):
    assert validate_password(PASSWORD) is None
    assert validate_password("trumpet-lampa-krokus-9") is None


def test_the_refusal_says_why_in_swedish(world):
    with pytest.raises(ValidationError) as refused:
        validate_password("Sommar2026!!!")
    assert "för lätt att gissa" in " ".join(refused.value.messages)


@pytest.mark.parametrize(
    "page",
    [
        "portal:home",
        "portal:programme_admin",
        "portal:hr_admin",
        "portal:head_of_administration",
        "portal:council",
    ],
)
def test_the_start_pages_answer_405_to_a_post(client, personas, page):
    client.force_login(personas.programme_admin)
    response = client.post(reverse(page))
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
