"""Backup and restore as the README describes them, against the real PostgreSQL: a dump
of the test database restored into a fresh database holds the same rows, and the report
files come back."""

import os
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest

from tests import factories as f
from tests.workers import database_url

ROOT = Path(__file__).resolve().parents[2]
TABLES = ["accounts_user", "programmes_municipality", "enrolment_participant"]


def _run(script, target, *, database, media, check=True):
    env = {**os.environ, "DATABASE_URL": database, "MEDIA_ROOT": str(media)}
    result = subprocess.run(
        ["bash", f"scripts/{script}", str(target)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def _rows(url, table):
    with psycopg.connect(url) as db:
        return db.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()


@pytest.fixture
def scratch_database():
    """A fresh, empty database with a unique name, dropped afterwards."""
    name = f"ledarskap_restore_{uuid.uuid4().hex[:12]}"
    server = database_url().rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restored_into_a_fresh_database_holds_the_same_rows_and_files(
    transactional_db, world, personas, scratch_database, tmp_path
):
    f.ParticipantFactory.create_batch(5, municipality=world.falun)
    media = tmp_path / "media"
    (media / "reports").mkdir(parents=True)
    (media / "reports" / "rapport.pdf").write_bytes(b"%PDF-1.7 report")

    _run("backup.sh", tmp_path / "backup", database=database_url(), media=media)
    restored = tmp_path / "restored"
    _run("restore.sh", tmp_path / "backup", database=scratch_database, media=restored)

    for table in TABLES:
        original = _rows(database_url(), table)
        assert original, table
        assert _rows(scratch_database, table) == original, table
    assert (restored / "reports" / "rapport.pdf").read_bytes() == b"%PDF-1.7 report"


def test_a_damaged_backup_is_refused_before_anything_is_restored(
    transactional_db, world, scratch_database, tmp_path
):
    media = tmp_path / "media"
    media.mkdir()
    _run("backup.sh", tmp_path / "backup", database=database_url(), media=media)
    with (tmp_path / "backup" / "database.dump").open("ab") as dump:
        dump.write(b"damage")
    result = _run(
        "restore.sh", tmp_path / "backup", database=scratch_database, media=media, check=False
    )
    assert result.returncode != 0
    assert "FAILED" in result.stderr + result.stdout
    assert _tables(scratch_database) == []


def _tables(url):
    with psycopg.connect(url) as db:
        return db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
