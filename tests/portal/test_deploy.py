import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage_in_production(*args, **env):
    """`manage.py` in a process of its own with production settings (DEBUG off)."""
    # The browser tests allow Django's ORM under Playwright's event loop in this process;
    # a deployment never does, so the command runs without that setting.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {**inherited, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(60), **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_check_deploy_with_production_settings_reports_nothing():
    result = manage_in_production(
        "check", "--deploy", "--fail-level", "WARNING", ALLOWED_HOSTS="ledarskap.example.se"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["DEBUG"] = "0"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_docker_compose_file_is_valid():
    result = subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_docker_compose_leaves_the_workers_to_gunicorn_conf_unless_set():
    import yaml

    def web_environment(**env):
        result = subprocess.run(
            ["docker-compose", "-f", "docker-compose.yml", "config"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            env={**{k: v for k, v in os.environ.items() if not k.startswith("WEB_")}, **env},
        )
        assert result.returncode == 0, result.stderr
        return yaml.safe_load(result.stdout)["services"]["web"]["environment"]

    unset = web_environment()
    assert not unset.get("WEB_CONCURRENCY") and not unset.get("GUNICORN_THREADS")
    # Empty, as compose passes it, is gunicorn.conf.py's own choice.
    import multiprocessing

    chosen = _gunicorn_settings(WEB_CONCURRENCY="", GUNICORN_THREADS="")
    assert (chosen["workers"], chosen["threads"]) == (3 * multiprocessing.cpu_count(), 2)
    assert web_environment(WEB_CONCURRENCY="12")["WEB_CONCURRENCY"] in ("12", 12)


def _gunicorn_settings(**env) -> dict:
    """gunicorn.conf.py read as gunicorn reads it, with only the given variables set."""
    import runpy
    from unittest import mock

    names = ("WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_MAX_REQUESTS", "PORT")
    clean = {k: v for k, v in os.environ.items() if k not in names}
    with mock.patch.dict(os.environ, {**clean, **env}, clear=True):
        return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_runs_three_processes_a_core_of_two_threads_recycled_rarely():
    import multiprocessing

    chosen = _gunicorn_settings()
    assert chosen["workers"] == 3 * multiprocessing.cpu_count()
    assert (chosen["worker_class"], chosen["threads"]) == ("gthread", 2)
    assert (chosen["max_requests"], chosen["max_requests_jitter"]) == (20000, 2000)
    assert chosen["bind"] == "0.0.0.0:8000"
    overridden = _gunicorn_settings(
        WEB_CONCURRENCY="9", GUNICORN_THREADS="1", GUNICORN_MAX_REQUESTS="500", PORT="9000"
    )
    assert (overridden["workers"], overridden["threads"]) == (9, 1)
    assert (overridden["max_requests"], overridden["bind"]) == (500, "0.0.0.0:9000")


def _collector_after_worker_init(**env) -> list[str]:
    """The cyclic collector's threshold and frozen objects in a fresh process, once
    gunicorn.conf.py's hook has run for a worker that has loaded the portal."""
    code = (
        "import gc, runpy; import portal.wsgi; "
        "settings = runpy.run_path('gunicorn.conf.py'); "
        "before = gc.get_freeze_count(); settings['post_worker_init'](None); "
        "import sys; views = 'enrolment.views.participants' in sys.modules; "
        "print(gc.get_threshold()[0], before, gc.get_freeze_count(), views)"
    )
    clean = {k: v for k, v in os.environ.items() if k != "GUNICORN_GC_THRESHOLD"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_a_worker_freezes_what_it_loaded_and_collects_cycles_less_often():
    threshold, frozen_before, frozen, views = _collector_after_worker_init()
    assert (threshold, frozen_before) == ("10000", "0")
    # The views are imported before the first request, and frozen with the rest.
    assert views == "True"
    # Django, the portal and its settings: far more than a page's objects.
    assert int(frozen) > 50_000
    assert _collector_after_worker_init(GUNICORN_GC_THRESHOLD="700")[0] == "700"


def test_a_celery_worker_process_collects_garbage_as_the_web_workers_do():
    """Celery sends `worker_process_init` in each worker process (prefork and solo alike):
    the portal's receiver freezes what the process loaded and raises the threshold."""
    code = (
        "import gc, os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
        "'portal.settings'); django.setup(); import portal.celery; "
        "from celery.signals import worker_process_init; "
        "before = gc.get_freeze_count(); worker_process_init.send(sender='w@test'); "
        "print(gc.get_threshold()[0], before, gc.get_freeze_count())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    threshold, frozen_before, frozen = result.stdout.split()
    assert (threshold, frozen_before) == ("10000", "0")
    assert int(frozen) > 50_000


def test_production_keeps_its_database_connections_and_checks_them_before_reuse():
    code = (
        "from django.db import connection; s = connection.settings_dict; "
        "print(s['CONN_MAX_AGE'], s['CONN_HEALTH_CHECKS'])"
    )
    env = {k: v for k, v in os.environ.items() if k != "CONN_MAX_AGE"}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**env, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(60)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["60", "True"]
