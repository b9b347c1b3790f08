"""Fixtures for the reports: private files in a temporary folder, managers with histories,
and reading a PDF back as text."""

import importlib
import subprocess
from datetime import date
from io import BytesIO

import pytest
from django.apps import apps
from pypdf import PdfReader

from reporting.evaluations.models import Questionnaire
from tests import factories as f

# The terms a whole programme is passed in, one course a term.
PASSES = (("new", "HT2022"), ("steering", "VT2023"), ("law", "HT2023"), ("systems", "VT2024"))


def pdf_text(content: bytes, layout: bool = True) -> str:
    """The text of a PDF. Laid out, a table row stays on one line; in reading order
    (layout=False), a cell whose text wraps stays in one piece."""
    result = subprocess.run(
        ["pdftotext", "-layout" if layout else "-raw", "-enc", "UTF-8", "-", "-"],
        input=content,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8")


def pdf_pages(content: bytes) -> int:
    return len(PdfReader(BytesIO(content)).pages)


def complete(participant, world):
    """Passes in all four slots, the last result on 2024-06-07."""
    for course, term in PASSES:
        f.pass_course(participant, world.courses[course], term)
    return participant


@pytest.fixture
def media_root(settings, tmp_path):
    """Report files in a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def today():
    from django.utils import timezone

    return timezone.localdate()


@pytest.fixture
def completed(world, personas):
    """The persona manager (Märta Ståhl, Borlänge) with the whole programme passed."""
    return complete(personas.manager_participant, world)


@pytest.fixture
def borlange_team(world):
    """Three more Borlänge managers (one in the care administration, one who left) and
    one in Falun, with something passed each."""
    team = {
        "social": f.ParticipantFactory(
            municipality=world.borlange,
            administration=world.borlange_social,
            first_name="Gunnar",
            last_name="Lindqvist",
        ),
        "care": f.ParticipantFactory(
            municipality=world.borlange,
            administration=world.borlange_care,
            first_name="Ylva",
            last_name="Sandberg",
        ),
        "left": f.ParticipantFactory(
            municipality=world.borlange,
            administration=world.borlange_social,
            first_name="Bo",
            last_name="Utflyttad",
            left_on=date(2024, 1, 31),
        ),
        "falun": f.ParticipantFactory(
            municipality=world.falun,
            administration=world.falun_social,
            first_name="Falk",
            last_name="Falunsson",
        ),
    }
    f.pass_course(team["social"], world.courses["new"], "HT2022")
    f.pass_course(team["care"], world.courses["collab"], "HT2022")
    f.pass_course(team["falun"], world.courses["new"], "HT2022")
    return team


@pytest.fixture
def questionnaire(db):
    """The shared default questionnaire, as the data migration makes it (made again here
    when a test with a flushed database ran first)."""
    migration = importlib.import_module(
        "reporting.evaluations.migrations.0002_default_questionnaire"
    )
    migration.create_default(apps, None)
    return Questionnaire.objects.get(region__isnull=True, is_default=True)
