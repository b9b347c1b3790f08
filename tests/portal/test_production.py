"""The production shape: DEBUG off, static files collected with production settings and
served from the real manifest storage, the portal's own error pages."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.portal.test_deploy import manage_in_production

HASHED_CSS = re.compile(r"/static/vendor/bootstrap\.min\.[0-9a-f]{12}\.css")


@pytest.fixture(scope="session")
def collected(tmp_path_factory):
    """`collectstatic` as the Dockerfile runs it: production settings, strict manifest."""
    static_root = tmp_path_factory.mktemp("staticfiles")
    result = manage_in_production("collectstatic", "--noinput", STATIC_ROOT=str(static_root))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (static_root / "staticfiles.json").exists()
    return static_root


@pytest.fixture
def production(settings, collected):
    settings.DEBUG = False
    settings.STATIC_ROOT = collected
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.ROOT_URLCONF = "tests.portal.urls_failing"
    return Client(raise_request_exception=False)


def test_the_log_in_page_is_served_with_hashed_static_files(production, db):
    response = production.get(reverse("account_login"))
    html = response.content.decode()
    assert response.status_code == 200
    stylesheet = HASHED_CSS.search(html)
    assert stylesheet, html[:2000]
    assert production.get(stylesheet.group(0)).status_code == 200


def test_a_logged_in_page_is_served(production, personas):
    production.force_login(personas.programme_admin)
    response = production.get(reverse("portal:programme_admin"))
    assert response.status_code == 200
    assert HASHED_CSS.search(response.content.decode())


@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [
        ("/finns-inte/", 404, "Sidan hittades inte"),
        ("/test-fel/", 500, "Något gick fel"),
        ("/intyg/%00/", 400, "Förfrågan kunde inte läsas"),
    ],
    ids=["missing", "failing", "bad-input"],
)
def test_errors_are_the_portals_own_swedish_pages_without_a_trace(
    production, db, path, status, heading
):
    response = production.get(path)
    html = response.content.decode()
    assert response.status_code == status
    assert '<html lang="sv">' in html
    assert heading in html
    assert HASHED_CSS.search(html)
    for leak in ("Traceback", "RuntimeError", "internal detail"):
        assert leak not in html
