import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.test import override_settings
from django.urls import reverse

from tests.workers import database_url

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "operator-token-for-the-test"


def test_healthz_is_a_cheap_public_liveness_check(client, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        response = client.get(reverse("healthz"), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_twenty_parallel_liveness_checks_take_no_time(client):
    def ask(_):
        started = time.monotonic()
        status = client.get(reverse("healthz")).status_code
        return status, time.monotonic() - started

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(ask, range(20)))
    assert {status for status, _ in results} == {200}
    assert max(seconds for _, seconds in results) < 0.5


def test_readiness_is_hidden_from_the_public(client, db):
    response = client.get(reverse("readiness"), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 404


def test_readiness_is_hidden_from_a_request_through_the_proxy(client, db):
    response = client.get(
        reverse("readiness"), REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    assert response.status_code == 404


@override_settings(HEALTH_TOKEN=TOKEN)
def test_readiness_answers_the_operator_with_the_token(client, db):
    wrong = client.get(
        reverse("readiness"), REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer wrong"
    )
    response = client.get(
        reverse("readiness"), REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION=f"Bearer {TOKEN}"
    )
    assert wrong.status_code == 404
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "vendor": "postgresql"}
    assert body["broker"] == {"ok": True, "mode": "redis"}
    assert "count" in body["workers"]


def test_readiness_answers_a_request_from_the_host_itself(client, db):
    response = client.get(reverse("readiness"), REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    assert response.json()["failed"] == []


def _readiness_in_subprocess(**env_overrides):
    """Ask /healthz/ready from a fresh process whose settings point where the test says."""
    code = (
        "import django, json;"
        "django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz/ready');"
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


def test_readiness_answers_503_naming_the_database_but_no_host_when_it_is_down():
    result = _readiness_in_subprocess(DATABASE_URL="postgres://postgres@127.0.0.1:1/ledarskap")
    assert result["status"] == 503
    assert result["body"]["failed"] == ["database"]
    assert result["body"]["database"] == {"ok": False, "error": "OperationalError"}
    assert result["body"]["broker"]["ok"] is True
    assert "127.0.0.1" not in json.dumps(result["body"])


def test_readiness_answers_503_naming_the_broker_but_no_host_when_it_is_down(db):
    result = _readiness_in_subprocess(
        DATABASE_URL=database_url(), REDIS_URL="redis://127.0.0.1:1/0"
    )
    assert result["status"] == 503
    assert result["body"]["failed"] == ["broker"]
    assert "127.0.0.1" not in json.dumps(result["body"])
    assert ":1" not in json.dumps(result["body"])


def test_liveness_stays_200_when_the_database_and_broker_are_down():
    code = (
        "import django, json;"
        "django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(r.status_code)"
    )
    env = {
        **os.environ,
        "DEBUG": "1",
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/ledarskap",
        "REDIS_URL": "redis://127.0.0.1:1/0",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert out.stdout.strip().splitlines()[-1] == "200", out.stderr
