"""Writes through the API: the page's form and services for one manager, the file
import's validation and applying for many, each recorded as the key's person."""

import csv
import io
import re

import pytest
from django.db import transaction
from django.utils import translation

from enrolment.models import Participant
from enrolment.services.imports import participants_import_apply, participants_import_preview
from tests import factories as f

FIELDS = [
    "first_name",
    "last_name",
    "email",
    "employee_number",
    "administration",
    "position",
    "appointed_on",
    "left_on",
]


def test_a_manager_is_created_in_the_keys_municipality_and_recorded_as_its_person(
    api_as, world, personas
):
    response = api_as("hr_borlange").post(
        "/api/v1/managers/",
        {
            "first_name": "Nils",
            "last_name": "Holm",
            "email": "Nils.Holm@Borlange.se",
            "administration": world.borlange_care.pk,
            "position": "unit_manager",
            "appointed_on": "2025-01-15",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["email"], body["municipality"], body["programme_status"]) == (
        "nils.holm@borlange.se",
        "2081",
        "not_started",
    )
    created = Participant.objects.get(pk=body["id"])
    assert created.history.get().history_user == personas.hr_borlange


def test_an_update_runs_the_pages_checks(api_as, world, personas):
    participant = personas.manager_participant
    api = api_as("hr_borlange", language="en")
    clash = f.ParticipantFactory(municipality=world.borlange, email="taken@borlange.se")
    response = api.patch(f"/api/v1/managers/{participant.pk}/", {"email": clash.email})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "email", "message": "Another manager already has this e-mail address."}
    ]
    foreign = api.patch(
        f"/api/v1/managers/{participant.pk}/", {"administration": world.falun_social.pk}
    )
    assert foreign.status_code == 400
    assert foreign.json()["errors"][0]["field"] == "administration"
    participant.refresh_from_db()
    assert participant.email == "marta.stahl@borlange.se"


def test_an_update_is_recorded_as_the_keys_person(api_as, personas):
    participant = personas.manager_participant
    response = api_as("programme_admin").put(
        f"/api/v1/managers/{participant.pk}/",
        {"first_name": "Märta", "last_name": "Ståhl-Berg", "email": participant.email},
    )
    assert response.status_code == 200, response.content
    latest = participant.history.latest()
    assert (latest.last_name, latest.history_user) == ("Ståhl-Berg", personas.programme_admin)


def test_a_programme_administrator_names_the_municipality(api_as, world):
    api = api_as("programme_admin", language="en")
    body = {"first_name": "Ida", "last_name": "Lund", "email": "ida@falun.se"}
    missing = api.post("/api/v1/managers/", body)
    assert missing.status_code == 400
    assert missing.json()["errors"] == [
        {"field": "municipality", "message": "Give the municipality code."}
    ]
    created = api.post("/api/v1/managers/", {**body, "municipality": "2080"})
    assert created.status_code == 201
    assert created.json()["municipality"] == "2080"
    outside = api.post("/api/v1/managers/", {**body, "email": "x@y.se", "municipality": "9999"})
    assert outside.status_code == 400


# Bulk upsert: the file import's rules -------------------------------------------------------


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _file_errors(preview):
    """(row, column, message) of a file preview, its rows numbered from the first manager
    as the API numbers them (the file's header is its row 1)."""

    def renumber(message):
        return re.sub(r"(rad|row) ([\d, ]+)", lambda m: m.group(1) + " " + _minus_one(m), message)

    return sorted(
        (row.number - 1, error.column, renumber(error.message))
        for row in preview.rows
        for error in row.errors
    )


def _minus_one(match):
    return ", ".join(str(int(n) - 1) for n in match.group(2).split(", "))


def _stored(municipality):
    return sorted(
        Participant.objects.filter(municipality=municipality).values_list(
            "email",
            "first_name",
            "last_name",
            "employee_number",
            "administration_id",
            "position",
            "appointed_on",
            "left_on",
        )
    )


@pytest.fixture
def stored(world):
    return f.ParticipantFactory(
        municipality=world.falun,
        administration=world.falun_social,
        first_name="Åsa",
        last_name="Öberg",
        email="asa@falun.se",
        employee_number="17",
    )


BAD_ROWS = [
    {"first_name": "Per", "last_name": "Ek", "email": "inte-en-adress"},
    {"first_name": "Eva", "last_name": "Ros", "email": "eva@falun.se", "administration": "Teknik"},
    {"first_name": "Bo", "last_name": "Ask", "email": "bo@falun.se", "appointed_on": "1 mars"},
    {"first_name": "Li", "last_name": "Al", "email": "li@falun.se", "position": "Rektor"},
    {"first_name": "", "last_name": "Tom", "email": "tom@falun.se"},
    {"first_name": "Ann", "last_name": "Lo", "email": "ANN@falun.se", "employee_number": "9"},
    {"first_name": "Ann", "last_name": "Lo", "email": "ann@falun.se", "employee_number": "9"},
    {"first_name": "Siv", "last_name": "Holm", "email": "asa@falun.se", "employee_number": "18"},
    {
        "first_name": "Ulf",
        "last_name": "Berg",
        "email": "ulf@falun.se",
        "appointed_on": "2024-05-01",
        "left_on": "2024-01-01",
    },
    {"first_name": "Åsa", "last_name": "Öberg", "email": "ny@falun.se", "employee_number": "17"},
    {"first_name": "Ok", "last_name": "Rad", "email": "ok@falun.se"},
]


def _full(rows):
    return [{name: row.get(name, "") for name in FIELDS} for row in rows]


def test_the_bulk_upsert_gives_the_file_imports_errors_for_the_same_rows(
    api_as, world, personas, stored
):
    rows = _full(BAD_ROWS)
    with translation.override("sv"):
        preview = participants_import_preview(
            file_name="chefer.csv", content=_csv(rows), municipality=world.falun
        )
    response = api_as("hr_falun").post(
        "/api/v1/managers/bulk/", {"municipality": "2080", "rows": rows}
    )
    assert response.status_code == 400
    api_errors = sorted(
        (int(e["row"]), e["field"], e["message"]) for e in response.json()["errors"]
    )
    assert api_errors == _file_errors(preview)
    assert len({row for row, _field, _message in api_errors}) == 10
    assert _stored(world.falun) == [
        (
            "asa@falun.se",
            "Åsa",
            "Öberg",
            "17",
            world.falun_social.pk,
            "unit_manager",
            stored.appointed_on,
            None,
        )
    ]


GOOD_ROWS = [
    # Found by employee number: the e-mail changes.
    {
        "first_name": "Åsa",
        "last_name": "Öberg",
        "email": "asa.oberg@falun.se",
        "employee_number": "17",
        "administration": "socialforvaltningen",
        "position": "Enhetschef",
        "appointed_on": "2023-03-01",
    },
    {
        "first_name": "Per",
        "last_name": "Ek",
        "email": "PER@falun.se",
        "employee_number": "",
        "administration": "",
        "position": "biträdande enhetschef",
        "appointed_on": "1/3/2024",
    },
    {
        "first_name": "Eva",
        "last_name": "Ros",
        "email": "eva@falun.se",
        "employee_number": "21",
        "administration": "Socialförvaltningen",
        "position": "",
        "appointed_on": "20240301",
        "left_on": "2025-06-30",
    },
]


def test_the_bulk_upsert_stores_what_the_file_import_stores(api_as, world, personas, stored):
    rows = _full(GOOD_ROWS)

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        preview = participants_import_preview(
            file_name="chefer.csv", content=_csv(rows), municipality=world.falun
        )
        result = participants_import_apply(
            preview=preview, municipality=world.falun, actor=personas.hr_falun
        )
        by_file = _stored(world.falun)
        raise Undo
    assert _stored(world.falun)[0][0] == "asa@falun.se"

    response = api_as("hr_falun").post(
        "/api/v1/managers/bulk/", {"municipality": "2080", "rows": rows}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (
        result.created,
        result.updated,
        result.unchanged,
    )
    assert body["applied"] is True
    assert _stored(world.falun) == by_file
    assert [row["status"] for row in body["rows"]] == ["changed", "new", "new"]
    ids = {row["id"] for row in body["rows"]}
    assert ids == set(
        Participant.objects.filter(municipality=world.falun).values_list("pk", flat=True)
    )
    for participant in Participant.objects.filter(municipality=world.falun):
        assert participant.history.latest().history_user == personas.hr_falun


def test_a_dry_run_reports_without_writing(api_as, world, stored):
    rows = _full(GOOD_ROWS)
    response = api_as("hr_falun").post(
        "/api/v1/managers/bulk/", {"municipality": "2080", "rows": rows, "dry_run": True}
    )
    assert response.status_code == 200
    assert response.json()["applied"] is False
    assert _stored(world.falun)[0][0] == "asa@falun.se"
    assert Participant.objects.filter(municipality=world.falun).count() == 1


def test_rows_with_different_fields_are_refused(api_as, world):
    rows = [
        {"first_name": "A", "last_name": "B", "email": "a@falun.se"},
        {"first_name": "C", "last_name": "D", "email": "c@falun.se", "position": "other"},
    ]
    response = api_as("hr_falun", language="en").post(
        "/api/v1/managers/bulk/", {"municipality": "2080", "rows": rows}
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "rows", "message": "Every row must have the same fields."}
    ]
    assert not Participant.objects.filter(municipality=world.falun).exists()
