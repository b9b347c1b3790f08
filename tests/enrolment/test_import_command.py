"""`manage.py import_participants FILE --municipality KOMMUNKOD [--dry-run]`."""

import io

import pytest
from django.core.management import CommandError, call_command

from enrolment.models import Participant, Position
from tests import factories as f
from tests.enrolment.test_imports import row, write_csv, write_xlsx


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_participants", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def chefer(tmp_path):
    return write_csv(
        tmp_path / "chefer.csv",
        [row("Åsa", "Öberg", "asa@falun.se", "1"), row("Örjan", "Ås", "orjan@falun.se", "2")],
    )


def test_dry_run_prints_the_summary_and_writes_nothing(world, chefer):
    out, _err = run(chefer, "--municipality", "2080", "--dry-run")
    assert "chefer.csv" in out
    assert "Falun" in out
    assert "2" in out
    assert not Participant.objects.filter(municipality=world.falun).exists()


def test_without_dry_run_the_file_is_imported(world, chefer):
    run(chefer, "--municipality", "2080")
    created = Participant.objects.filter(municipality=world.falun)
    assert {p.email for p in created} == {"asa@falun.se", "orjan@falun.se"}
    assert {p.first_name for p in created} == {"Åsa", "Örjan"}
    assert all(p.history.get().history_type == "+" for p in created)


def test_an_xlsx_file_updates_a_manager_found_by_employee_number(world, tmp_path):
    stored = f.ParticipantFactory(
        municipality=world.falun, email="asa@falun.se", employee_number="1"
    )
    path = write_xlsx(
        tmp_path / "chefer.xlsx",
        [["Åsa", "Öberg", "asa.ny@falun.se", 1, "Biträdande enhetschef"]],
        header=["Förnamn", "Efternamn", "E-post", "Anställningsnummer", "Befattning"],
    )
    out, _err = run(path, "--municipality", "2080")
    stored.refresh_from_db()
    assert stored.email == "asa.ny@falun.se"
    assert stored.position == Position.DEPUTY_UNIT_MANAGER
    assert "asa.ny@falun.se" in out


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]])
def test_a_file_with_errors_exits_with_an_error_and_writes_nothing(world, tmp_path, dry_run):
    path = write_csv(
        tmp_path / "chefer.csv",
        [row("Åsa", "Öberg", "asa@falun.se"), row("Per", "Ek", "inte-en-adress")],
    )
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_participants",
            str(path),
            "--municipality",
            "2080",
            *dry_run,
            stdout=out,
            stderr=err,
        )
    assert "3" in err.getvalue()
    assert "E-post" in err.getvalue()
    assert not Participant.objects.filter(municipality=world.falun).exists()


def test_an_unknown_municipality_code_is_an_error(world, chefer):
    with pytest.raises(CommandError, match="9999"):
        run(chefer, "--municipality", "9999")
    assert not Participant.objects.exists()


def test_a_missing_file_is_an_error(world, tmp_path):
    with pytest.raises(CommandError, match="finns-inte.csv"):
        run(tmp_path / "finns-inte.csv", "--municipality", "2080")


def test_a_text_file_named_xlsx_is_an_error(world, tmp_path):
    path = tmp_path / "chefer.xlsx"
    path.write_text("Förnamn;Efternamn;E-post\n", encoding="utf-8")
    with pytest.raises(CommandError):
        run(path, "--municipality", "2080")
    assert not Participant.objects.exists()
