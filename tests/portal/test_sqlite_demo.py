"""`make run` without services: the embedded SQLite and tasks run at once. Every demo user
visits the pages they reach; none answers with a server error."""

import json
import os
import subprocess
import sys

from django.conf import settings


def test_every_demo_user_reaches_their_pages_on_sqlite_without_a_server_error(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    result = subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "tests" / "portal" / "sqlite_demo.py")],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    visited = json.loads(result.stdout.strip().splitlines()[-1])
    # Every role of the demo (manager, HR, head, council, programme and national
    # administrators, two regions) visited, and no page failed.
    assert len(visited) >= 10
    assert {email: bad for email, bad in visited.items() if bad} == {}
