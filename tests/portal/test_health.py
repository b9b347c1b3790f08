import json
import os
import subprocess
import sys
from pathlib import Path

from django.urls import reverse

from tests.workers import database_url

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_answers_200_when_database_and_broker_answer(client, db):
    response = client.get(reverse("healthz"))
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "vendor": "postgresql"}
    assert body["broker"] == {"ok": True, "mode": "redis"}
    assert "count" in body["workers"]


def _healthz_in_subprocess(**env_overrides):
    """Ask /healthz from a fresh process whose settings point where the test says."""
    code = (
        "import django, json;"
        "django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "1",
        "ALLOWED_HOSTS": "testserver",
        **env_overrides,
    }
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_healthz_answers_503_naming_the_database_when_it_is_down():
    result = _healthz_in_subprocess(DATABASE_URL="postgres://postgres@127.0.0.1:1/ledarskap")
    assert result["status"] == 503
    assert result["body"]["failed"] == ["database"]
    assert result["body"]["database"]["ok"] is False
    assert result["body"]["broker"]["ok"] is True


def test_healthz_answers_503_naming_the_broker_when_it_is_down(db):
    result = _healthz_in_subprocess(DATABASE_URL=database_url(), REDIS_URL="redis://127.0.0.1:1/0")
    assert result["status"] == 503
    assert result["body"]["failed"] == ["broker"]
