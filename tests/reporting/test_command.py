"""manage.py build_report: the same PDFs without a worker, and clear words for bad input."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from reporting.models import Certificate

from .conftest import pdf_text


def run(*args):
    out = StringIO()
    call_command("build_report", *args, stdout=out)
    return out.getvalue()


def test_progress_report_for_a_municipality(world, personas, completed, tmp_path):
    out = tmp_path / "framsteg.pdf"
    printed = run("progress", "--municipality", "2081", "--date", "2026-11-22", "--out", str(out))
    text = pdf_text(out.read_bytes())
    assert "Ståhl, Märta" in text
    assert "2026-11-22" in text
    assert "CLI-" in printed


def test_progress_report_for_an_administration_in_english(world, personas, completed, tmp_path):
    out = tmp_path / "progress.pdf"
    run(
        "progress",
        "--administration",
        str(world.borlange_social.pk),
        "--language",
        "en",
        "--out",
        str(out),
    )
    assert "Progress report" in pdf_text(out.read_bytes())


def test_regional_report_takes_the_only_region(world, personas, completed, tmp_path):
    out = tmp_path / "regional.pdf"
    run("regional", "--out", str(out))
    text = pdf_text(out.read_bytes())
    assert world.region.name in text
    assert "Ståhl" not in text


def test_certificate_for_a_manager_who_completed(world, personas, completed, tmp_path):
    out = tmp_path / "intyg.pdf"
    run("certificate", "--participant", str(completed.pk), "--out", str(out))
    assert Certificate.objects.get(participant=completed).code in pdf_text(out.read_bytes())


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["progress"], "--municipality"),
        (["progress", "--municipality", "9999"], "9999"),
        (["compliance", "--administration", "1"], "--administration"),
        (["progress", "--municipality", "2081", "--date", "22/11/2026"], "YYYY-MM-DD"),
        (["progress", "--municipality", "2081", "--date", "2999-01-01"], "future"),
        (["progress", "--administration", "999999"], "999999"),
        (["certificate"], "--participant"),
        (["certificate", "--participant", "999999"], "999999"),
        (["regional", "--region", "77"], "77"),
    ],
)
def test_bad_arguments_give_a_clear_error(world, tmp_path, args, words):
    with pytest.raises(CommandError) as error:
        run(*args, "--out", str(tmp_path / "x.pdf"))
    assert words in str(error.value)


def test_a_manager_who_has_not_completed_gets_no_certificate(world, personas, tmp_path):
    with pytest.raises(CommandError) as error:
        run(
            "certificate",
            "--participant",
            str(personas.manager_participant.pk),
            "--out",
            str(tmp_path / "x.pdf"),
        )
    assert "Märta Ståhl" in str(error.value)


def test_an_unknown_kind_or_a_missing_folder_is_refused(world, tmp_path):
    with pytest.raises(CommandError):
        run("secret", "--out", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError) as error:
        run("regional", "--out", str(tmp_path / "no" / "such" / "x.pdf"))
    assert "does not exist" in str(error.value)
