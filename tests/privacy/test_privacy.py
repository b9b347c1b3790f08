"""Data subject rights: register extract, erasure with history, thinning, access log,
and the public pages."""

import json
import os
from datetime import date, timedelta
from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from enrolment.models import Participant
from privacy.models import AccessLogEntry, PublicText, RecordKind, RetentionRule, ThinningRun
from privacy.tasks import thin_all_regions
from reporting.models import ReportKind, ReportRequest
from tests import factories as f

OTHERS = ["hr_falun", "head_borlange", "council", "manager", "no_role"]


@pytest.fixture
def person(world, personas):
    p = f.ParticipantFactory(
        municipality=world.borlange, first_name="Greta", last_name="Registersson"
    )
    p.email = "greta.ny@borlange.se"
    p.save()
    f.EnrolmentFactory(participant=p)
    return p


@pytest.fixture
def stranger(world):
    return f.ParticipantFactory(
        municipality=world.borlange, first_name="Olle", last_name="Främling"
    )


def _extract(client, user, person, fmt):
    client.force_login(user)
    return client.get(reverse(f"privacy:extract_{fmt}", args=[person.pk]))


@pytest.mark.parametrize("who", ["hr_borlange", "programme_admin"])
def test_register_extract_holds_everything_about_the_person_and_nobody_else(
    client, personas, person, stranger, who
):
    response = _extract(client, getattr(personas, who), person, "json")
    assert response.status_code == 200
    extract = json.loads(response.content)
    text = response.content.decode()
    titles = [s["rubrik"] for s in extract["avsnitt"]]
    assert "Personuppgifter" in titles
    assert "Registersson" in text and "greta.ny@borlange.se" in text
    # The history: the first version with the old e-mail, and where the record came from.
    history = next(s for s in extract["avsnitt"] if s["rubrik"].startswith("Tidigare"))
    assert len(history["poster"]) == 2
    assert any("chef" in str(item) for item in history["poster"])
    assert "Främling" not in text and stranger.email not in text
    courses = next(s for s in extract["avsnitt"] if s["rubrik"] == "Kursdeltaganden")
    assert len(courses["poster"]) == 1

    pdf = _extract(client, getattr(personas, who), person, "pdf")
    assert pdf["Content-Type"] == "application/pdf"
    pages = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages)
    assert "Registerutdrag" in pages and "Registersson" in pages
    assert "greta.ny@borlange.se" in pages
    assert "Främling" not in pages


@pytest.mark.parametrize("who", OTHERS)
def test_register_extract_is_404_outside_the_editors_reach(client, personas, person, who):
    for fmt in ("json", "pdf"):
        assert _extract(client, getattr(personas, who), person, fmt).status_code == 404


def test_opening_a_managers_page_is_logged_and_the_programme_admin_reads_it(
    client, personas, person
):
    client.force_login(personas.hr_borlange)
    assert client.get(reverse("enrolment:participant_detail", args=[person.pk])).status_code == 200
    client.get(reverse("enrolment:participant_export", args=["csv"]))
    entries = AccessLogEntry.objects.filter(user=personas.hr_borlange)
    assert entries.filter(participant=person, kind="page").count() == 1
    assert entries.filter(participant=person, kind="export").count() == 1
    client.force_login(personas.programme_admin)
    html = client.get(reverse("privacy:access_log")).content.decode()
    assert "Registersson" in html and personas.hr_borlange.email in html


@pytest.mark.parametrize("who", ["hr_borlange", "hr_falun", "head_borlange", "council", "manager"])
def test_access_log_is_404_for_everyone_but_the_programme_admin(client, personas, who):
    client.force_login(getattr(personas, who))
    assert client.get(reverse("privacy:access_log")).status_code == 404


def test_deleting_a_manager_removes_their_history_rows(person):
    pk = person.pk
    assert Participant.history.filter(id=pk).exists()
    person.delete()
    assert not Participant.history.filter(id=pk).exists()


def test_thinning_removes_rows_history_files_and_old_log_entries(world, personas, person):
    today = timezone.localdate()
    gone = f.ParticipantFactory(municipality=world.borlange, last_name="Gammalsson")
    gone.appointed_on = today - timedelta(days=10 * 366)
    gone.left_on = today - timedelta(days=6 * 366)
    gone.save()
    f.EnrolmentFactory(participant=gone)
    report = ReportRequest.objects.create(
        kind=ReportKind.CERTIFICATE, participant=gone, data_date=date(2020, 1, 1)
    )
    report.file.save("intyg.pdf", ContentFile(b"%PDF-1.7"), save=True)
    path = report.file.path
    old_entry = AccessLogEntry.objects.create(
        user=personas.hr_borlange, participant=person, region=world.region, kind="page"
    )
    AccessLogEntry.objects.filter(pk=old_entry.pk).update(at=timezone.now() - timedelta(days=800))
    fresh = AccessLogEntry.objects.create(
        user=personas.hr_borlange, participant=person, region=world.region, kind="page"
    )
    for kind, months in ((RecordKind.MANAGERS, 60), (RecordKind.ACCESS_LOG, 24)):
        RetentionRule.objects.create(region=world.region, kind=kind, months=months)

    thin_all_regions()

    assert not Participant.objects.filter(pk=gone.pk).exists()
    assert not Participant.history.filter(id=gone.pk).exists()
    assert not ReportRequest.objects.filter(pk=report.pk).exists()
    assert not os.path.exists(path)
    assert not AccessLogEntry.objects.filter(pk=old_entry.pk).exists()
    assert AccessLogEntry.objects.filter(pk=fresh.pk).exists()
    assert Participant.objects.filter(pk=person.pk).exists()
    run = ThinningRun.objects.get(region=world.region)
    assert run.counts["managers"] == 1
    assert run.counts["history_rows"] >= 2
    assert run.counts["report_files"] == 1
    assert run.counts["access_log_entries"] == 1
    assert "Gammalsson" not in json.dumps(run.counts)


def test_public_pages_are_open_to_all_and_their_text_is_the_regions(client, world, personas):
    for name in ("privacy", "accessibility"):
        assert client.get(reverse("privacy:page", args=[name])).status_code == 200
    assert client.get(reverse("privacy:page", args=["other"])).status_code == 404
    client.force_login(personas.programme_admin)
    url = reverse("privacy:text_edit", args=["privacy"])
    response = client.post(url, {"body_sv": "Regionens egen text.", "body_en": "Own text."})
    assert response.status_code == 302
    assert PublicText.objects.get(region=world.region).body_sv == "Regionens egen text."
    html = client.get(reverse("privacy:page", args=["privacy"])).content.decode()
    assert "Regionens egen text." in html
    assert client.post(url, {"body_sv": "", "body_en": ""}).status_code == 400


@pytest.mark.parametrize("who", ["hr_borlange", "head_borlange", "council", "manager"])
def test_public_texts_are_edited_only_by_the_programme_admin(client, personas, who):
    client.force_login(getattr(personas, who))
    assert client.get(reverse("privacy:text_edit", args=["privacy"])).status_code == 404


def test_every_page_links_the_public_pages_in_its_footer(client, personas):
    client.force_login(personas.council)
    html = client.get(reverse("portal:council")).content.decode()
    footer = html[html.index("<footer") :]
    for name in ("privacy", "accessibility"):
        assert reverse("privacy:page", args=[name]) in footer
