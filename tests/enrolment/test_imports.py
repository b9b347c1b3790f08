"""Importing managers from HR's file: real files written to disk, read as a user uploads
them, checked row by row and applied all-or-nothing."""

import csv
import io
import zipfile
from datetime import date, datetime

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from enrolment.models import OperationalArea, Participant, Position
from enrolment.services.imports import (
    RowStatus,
    participants_import_apply,
    participants_import_preview,
)
from enrolment.views.imports import SESSION_KEY, _cache_key
from tests import factories as f

HEADER = [
    "Förnamn",
    "Efternamn",
    "E-post",
    "Anställningsnummer",
    "Förvaltning",
    "Verksamhetsområde",
    "Befattning",
    "Chef sedan",
    "Slutat",
]


def write_csv(path, rows, *, encoding="cp1252", delimiter=";", header=HEADER):
    """A CSV file as Excel saves it: `encoding="utf-8-sig"` gives the BOM."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def write_xlsx(path, rows, *, header=HEADER):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def row(first, last, email, number="", administration="Socialförvaltningen", **extra):
    return [
        first,
        last,
        email,
        number,
        administration,
        extra.get("area", "Äldreomsorg/hemtjänst"),
        extra.get("position", "Enhetschef"),
        extra.get("appointed", "2024-03-01"),
        extra.get("left", ""),
    ]


def preview_of(path, municipality):
    return participants_import_preview(
        file_name=path.name, content=path.read_bytes(), municipality=municipality
    )


def errors_by_cell(preview):
    return {(r.number, e.column) for r in preview.rows for e in r.errors}


# Reading the files HR has ----------------------------------------------------------------


def test_windows_1252_csv_with_semicolons_keeps_swedish_letters(world, personas, tmp_path):
    path = write_csv(
        tmp_path / "chefer.csv",
        [
            row("Åsa", "Öberg", "asa.oberg@falun.se", "1001"),
            row("Örjan", "Ärlig", "orjan.arlig@falun.se", "1002", position="Biträdande enhetschef"),
        ],
        encoding="cp1252",
    )
    assert "Å".encode("cp1252") in path.read_bytes()

    preview = preview_of(path, world.falun)

    assert not preview.has_errors
    assert [r.status for r in preview.rows] == [RowStatus.NEW, RowStatus.NEW]
    assert [r.number for r in preview.rows] == [2, 3]
    assert not Participant.objects.filter(municipality=world.falun).exists()

    result = participants_import_apply(
        preview=preview, municipality=world.falun, actor=personas.hr_falun
    )

    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    asa = Participant.objects.get(email="asa.oberg@falun.se")
    assert (asa.first_name, asa.last_name) == ("Åsa", "Öberg")
    assert asa.municipality == world.falun
    assert asa.administration == world.falun_social
    assert asa.operational_area == OperationalArea.ELDERLY_CARE
    assert asa.position == Position.UNIT_MANAGER
    assert asa.appointed_on == date(2024, 3, 1)
    assert asa.employee_number == "1001"
    orjan = Participant.objects.get(email="orjan.arlig@falun.se")
    assert orjan.position == Position.DEPUTY_UNIT_MANAGER
    assert asa.history.get().history_user == personas.hr_falun


def test_utf8_csv_with_bom_reads_excel_datetimes_and_day_first_dates(world, tmp_path):
    path = write_csv(
        tmp_path / "chefer.csv",
        [
            row("Åke", "Lind", "ake.lind@falun.se", appointed="2024-03-01 00:00:00"),
            row("Karin", "Berg", "karin.berg@falun.se", appointed="1/3/2024", left="31.12.2025"),
            row("Maj", "Ek", "maj.ek@falun.se", appointed="20240301", area="LSS"),
        ],
        encoding="utf-8-sig",
    )
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")

    preview = preview_of(path, world.falun)

    assert not preview.has_errors
    assert [r.values["appointed_on"] for r in preview.rows] == [date(2024, 3, 1)] * 3
    assert preview.rows[1].values["left_on"] == date(2025, 12, 31)
    assert preview.rows[0].values["first_name"] == "Åke"
    assert preview.rows[2].values["operational_area"] == OperationalArea.LSS


def test_plain_utf8_csv_separated_by_commas_is_read(world, tmp_path):
    path = write_csv(
        tmp_path / "chefer.csv",
        [row("Åsa", "Öberg", "asa@falun.se"), row("Per", "Ek", "per@falun.se")],
        encoding="utf-8",
        delimiter=",",
    )
    preview = preview_of(path, world.falun)
    assert not preview.has_errors
    assert [r.values["last_name"] for r in preview.rows] == ["Öberg", "Ek"]


def test_xlsx_with_date_cells_and_numeric_employee_numbers_is_read(world, personas, tmp_path):
    path = write_xlsx(
        tmp_path / "chefer.xlsx",
        [
            [
                "Åsa",
                "Öberg",
                "Asa.Oberg@Falun.se",
                1001,
                "socialförvaltningen",
                "LSS",
                "Enhetschef",
                datetime(2024, 3, 1),
                None,
            ],
            [
                "Per",
                "Ek",
                "per.ek@falun.se",
                1002.0,
                None,
                "lss",
                "enhetschef",
                date(2023, 1, 15),
                datetime(2025, 6, 30),
            ],
        ],
    )
    preview = preview_of(path, world.falun)

    assert not preview.has_errors, errors_by_cell(preview)
    first, second = preview.rows
    assert first.values["email"] == "asa.oberg@falun.se"
    assert first.values["employee_number"] == "1001"
    assert first.values["administration"] == world.falun_social
    assert first.values["appointed_on"] == date(2024, 3, 1)
    assert second.values["employee_number"] == "1002"
    assert second.values["administration"] is None
    assert second.values["left_on"] == date(2025, 6, 30)

    participants_import_apply(preview=preview, municipality=world.falun, actor=personas.hr_falun)
    assert Participant.objects.filter(municipality=world.falun).count() == 2


def test_rows_are_numbered_as_the_spreadsheet_shows_them_blank_rows_included(world, tmp_path):
    path = write_xlsx(
        tmp_path / "chefer.xlsx",
        [["Åsa", "Öberg", "asa@falun.se"], [None, None, None], ["Per", "Ek", "fel"]],
        header=["Förnamn", "Efternamn", "E-post"],
    )
    preview = preview_of(path, world.falun)
    assert [r.number for r in preview.rows] == [2, 4]
    assert errors_by_cell(preview) == {(4, "E-post")}


def test_a_title_above_the_column_names_is_skipped(world, tmp_path):
    path = tmp_path / "export.csv"
    lines = [
        "Chefer i Falun;;",
        "Uttag 2025-01-01;;",
        "Förnamn;Efternamn;E-post",
        "Åsa;Öberg;a@x.se",
    ]
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    preview = preview_of(path, world.falun)
    assert not preview.has_errors
    assert [(r.number, r.values["first_name"]) for r in preview.rows] == [(4, "Åsa")]


def test_headers_are_matched_whatever_their_case_spacing_and_synonyms(world, tmp_path):
    header = [
        "  FÖRNAMN ",
        "efternamn",
        "E-postadress",
        "Anst.nr",
        "Befattningstitel",
        "Kostnadsställe",
    ]
    path = write_csv(
        tmp_path / "export.csv",
        [["Åsa", "Öberg", "asa@falun.se", "77", "Enhetschef", "4711"]],
        header=header,
        encoding="utf-8-sig",
    )
    preview = preview_of(path, world.falun)
    assert not preview.has_errors
    assert [c.field for c in preview.columns] == [
        "first_name",
        "last_name",
        "email",
        "employee_number",
        "position",
    ]
    assert preview.ignored_columns == ["Kostnadsställe"]
    assert preview.rows[0].values["employee_number"] == "77"


def test_operational_areas_and_positions_accept_codes_and_labels(world, tmp_path):
    path = write_csv(
        tmp_path / "chefer.csv",
        [
            row("A", "A", "a@falun.se", area="ifo", position="unit_manager"),
            row("B", "B", "b@falun.se", area="Individ- och familjeomsorg", position="Enhetschef"),
            row(
                "C",
                "C",
                "c@falun.se",
                area="Socialpsykiatri",
                position="Annan motsvarande befattning",
            ),
            row(
                "D",
                "D",
                "d@falun.se",
                area="Kommunal hälso- och sjukvård",
                position="deputy_unit_manager",
            ),
        ],
        encoding="utf-8-sig",
    )
    preview = preview_of(path, world.falun)
    assert not preview.has_errors, errors_by_cell(preview)
    assert [(r.values["operational_area"], r.values["position"]) for r in preview.rows] == [
        (OperationalArea.INDIVIDUAL_AND_FAMILY, Position.UNIT_MANAGER),
        (OperationalArea.INDIVIDUAL_AND_FAMILY, Position.UNIT_MANAGER),
        (OperationalArea.SOCIAL_PSYCHIATRY, Position.OTHER),
        (OperationalArea.HEALTH_CARE, Position.DEPUTY_UNIT_MANAGER),
    ]


# Errors on their rows ----------------------------------------------------------------------


def test_errors_are_shown_on_their_row_and_column_and_nothing_is_written(world, personas, tmp_path):
    path = write_csv(
        tmp_path / "chefer.csv",
        [
            row("Åsa", "Öberg", "asa@falun.se"),  # row 2: fine
            row("Per", "Ek", "inte-en-adress"),  # row 3
            row("Eva", "Ros", "eva@falun.se", administration="Tekniska förvaltningen"),  # 4
            row("Bo", "Ask", "bo@falun.se", appointed="den första mars", left="0224-03-01"),  # 5
            row("Li", "Al", "li@falun.se", position="Rektor"),  # row 6
            row("", "Tom", "tom@falun.se"),  # row 7
            row("Ann", "Lo", "ANN@falun.se", "9"),  # row 8
            row("Ann", "Lo", "ann@falun.se", "9"),  # row 9: the same as row 8
            row("Siv", "Holm", "siv@falun.se", appointed="2024-05-01", left="2024-01-01"),  # 10
        ],
    )
    preview = preview_of(path, world.falun)

    assert preview.has_errors
    assert not preview.file_errors
    assert errors_by_cell(preview) == {
        (3, "E-post"),
        (4, "Förvaltning"),
        (5, "Chef sedan"),
        (5, "Slutat"),
        (6, "Befattning"),
        (7, "Förnamn"),
        (8, "E-post"),
        (8, "Anställningsnummer"),
        (9, "E-post"),
        (9, "Anställningsnummer"),
        (10, "Slutat"),
    }
    statuses = {r.number: r.status for r in preview.rows}
    assert statuses[2] == RowStatus.NEW
    assert all(statuses[n] == RowStatus.ERROR for n in range(3, 11))
    assert preview.counts == {"new": 1, "changed": 0, "unchanged": 0, "error": 8}
    cell = next(c for c in preview.rows[1].cells if c.column == "E-post")
    assert cell.has_error and cell.text == "inte-en-adress"

    with pytest.raises(ValidationError) as excinfo:
        participants_import_apply(
            preview=preview, municipality=world.falun, actor=personas.hr_falun
        )
    assert excinfo.value.code == "has_errors"
    assert not Participant.objects.filter(municipality=world.falun).exists()


def test_an_email_of_a_manager_in_another_municipality_is_an_error_that_reveals_nothing(
    world, personas, tmp_path
):
    other = personas.manager_participant  # in Borlänge
    path = write_csv(
        tmp_path / "chefer.csv",
        [row("Märta", "Ståhl", other.email.upper(), "55")],
        encoding="utf-8-sig",
    )
    preview = preview_of(path, world.falun)

    assert errors_by_cell(preview) == {(2, "E-post")}
    message = preview.rows[0].errors[0].message
    assert "Borlänge" not in message
    assert other.last_name not in message
    other.refresh_from_db()
    assert other.municipality == world.borlange


# Matching stored managers -----------------------------------------------------------------


@pytest.fixture
def stored(world):
    return {
        "asa": f.ParticipantFactory(
            municipality=world.falun,
            administration=world.falun_social,
            first_name="Åsa",
            last_name="Öberg",
            email="asa.oberg@falun.se",
            employee_number="1001",
            operational_area=OperationalArea.ELDERLY_CARE,
            position=Position.UNIT_MANAGER,
            appointed_on=date(2024, 3, 1),
        ),
        "per": f.ParticipantFactory(
            municipality=world.falun,
            administration=world.falun_social,
            first_name="Per",
            last_name="Ek",
            email="per.ek@falun.se",
            employee_number="1002",
            operational_area=OperationalArea.ELDERLY_CARE,
            position=Position.UNIT_MANAGER,
            appointed_on=date(2024, 3, 1),
        ),
    }


def test_a_manager_found_by_email_is_unchanged_or_changed_with_old_and_new_values(
    world, personas, stored, tmp_path
):
    path = write_csv(
        tmp_path / "chefer.csv",
        [
            row("Åsa", "Öberg", "ASA.OBERG@falun.se", "1001"),
            row("Per", "Ek", "per.ek@falun.se", "1002", position="Biträdande enhetschef"),
        ],
    )
    preview = preview_of(path, world.falun)

    asa, per = preview.rows
    assert asa.status == RowStatus.UNCHANGED
    assert asa.participant_id == stored["asa"].pk
    assert per.status == RowStatus.CHANGED
    assert per.participant_id == stored["per"].pk
    assert [(c.column, c.old, c.new) for c in per.changes] == [
        ("Befattning", str(Position.UNIT_MANAGER.label), str(Position.DEPUTY_UNIT_MANAGER.label))
    ]

    result = participants_import_apply(
        preview=preview, municipality=world.falun, actor=personas.hr_falun
    )
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    stored["per"].refresh_from_db()
    assert stored["per"].position == Position.DEPUTY_UNIT_MANAGER
    latest = stored["per"].history.first()
    assert latest.history_type == "~"
    assert latest.history_user == personas.hr_falun
    assert stored["asa"].history.count() == 1


def test_a_manager_found_by_employee_number_gets_the_new_email(world, personas, stored, tmp_path):
    path = write_csv(tmp_path / "chefer.csv", [row("Åsa", "Öberg", "asa.ny@falun.se", "1001")])
    preview = preview_of(path, world.falun)

    (asa,) = preview.rows
    assert asa.status == RowStatus.CHANGED
    assert asa.participant_id == stored["asa"].pk
    assert [(c.column, c.old, c.new) for c in asa.changes] == [
        ("E-post", "asa.oberg@falun.se", "asa.ny@falun.se")
    ]
    participants_import_apply(preview=preview, municipality=world.falun, actor=personas.hr_falun)
    stored["asa"].refresh_from_db()
    assert stored["asa"].email == "asa.ny@falun.se"
    assert Participant.objects.filter(municipality=world.falun).count() == 2


def test_email_and_employee_number_of_two_different_managers_is_an_error(world, stored, tmp_path):
    path = write_csv(tmp_path / "chefer.csv", [row("Åsa", "Öberg", "asa.oberg@falun.se", "1002")])
    preview = preview_of(path, world.falun)
    assert preview.rows[0].status == RowStatus.ERROR
    assert errors_by_cell(preview) == {(2, "Anställningsnummer")}


def test_two_rows_that_find_the_same_manager_are_errors(world, stored, tmp_path):
    path = write_csv(
        tmp_path / "chefer.csv",
        [row("Åsa", "Öberg", "asa.oberg@falun.se"), row("Åsa", "Öberg", "asa2@falun.se", "1001")],
    )
    preview = preview_of(path, world.falun)
    assert [r.status for r in preview.rows] == [RowStatus.ERROR, RowStatus.ERROR]
    assert errors_by_cell(preview) == {(2, ""), (3, "")}


def test_columns_left_out_of_the_file_keep_their_stored_values(world, personas, stored, tmp_path):
    path = write_csv(
        tmp_path / "chefer.csv",
        [["Åsa", "Öberg-Lind", "asa.oberg@falun.se"]],
        header=["Förnamn", "Efternamn", "E-post"],
    )
    preview = preview_of(path, world.falun)
    assert [(c.column, c.new) for c in preview.rows[0].changes] == [("Efternamn", "Öberg-Lind")]
    participants_import_apply(preview=preview, municipality=world.falun, actor=personas.hr_falun)
    stored["asa"].refresh_from_db()
    assert stored["asa"].last_name == "Öberg-Lind"
    assert stored["asa"].position == Position.UNIT_MANAGER
    assert stored["asa"].employee_number == "1001"
    assert stored["asa"].administration == world.falun_social


def test_a_leaving_date_before_the_stored_appointment_is_an_error(world, stored, tmp_path):
    path = write_csv(
        tmp_path / "chefer.csv",
        [["Åsa", "Öberg", "asa.oberg@falun.se", "2020-01-01"]],
        header=["Förnamn", "Efternamn", "E-post", "Slutat"],
    )
    preview = preview_of(path, world.falun)
    assert errors_by_cell(preview) == {(2, "Slutat")}


# All or nothing -----------------------------------------------------------------------------


def test_an_apply_that_fails_midway_leaves_the_database_as_it_was(
    world, personas, stored, tmp_path
):
    path = write_csv(
        tmp_path / "chefer.csv",
        [
            row("Per", "Ek", "per.ek@falun.se", "1002", position="Biträdande enhetschef"),
            row("Ny", "Ett", "ny.ett@falun.se", "2001"),
            row("Ny", "Två", "ny.tva@falun.se", "2002"),
            row("Ny", "Tre", "ny.tre@falun.se", "2003"),
        ],
    )
    preview = preview_of(path, world.falun)
    assert [r.status for r in preview.rows] == [RowStatus.CHANGED] + [RowStatus.NEW] * 3
    # Someone registers the manager of row 5 elsewhere between preview and confirmation.
    f.ParticipantFactory(municipality=world.borlange, email="NY.TRE@falun.se")
    before = Participant.objects.count()
    history_before = Participant.history.count()

    with pytest.raises(ValidationError) as excinfo:
        participants_import_apply(
            preview=preview, municipality=world.falun, actor=personas.hr_falun
        )

    assert excinfo.value.code == "conflict"
    assert "5" in excinfo.value.messages[0]
    assert Participant.objects.count() == before
    assert not Participant.objects.filter(email__in=["ny.ett@falun.se", "ny.tva@falun.se"]).exists()
    stored["per"].refresh_from_db()
    assert stored["per"].position == Position.UNIT_MANAGER
    assert Participant.history.count() == history_before


def test_a_preview_for_another_municipality_is_refused(world, personas, tmp_path):
    path = write_csv(tmp_path / "chefer.csv", [row("Åsa", "Öberg", "asa@falun.se")])
    preview = preview_of(path, world.falun)
    with pytest.raises(ValidationError):
        participants_import_apply(
            preview=preview, municipality=world.borlange, actor=personas.hr_borlange
        )
    assert not Participant.objects.filter(email="asa@falun.se").exists()


# Whole-file problems -------------------------------------------------------------------------


def _file_problem(tmp_path, world, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    preview = preview_of(path, world.falun)
    assert preview.file_errors
    assert not preview.rows
    return preview


def test_a_text_file_named_xlsx_is_a_file_error(world, tmp_path):
    _file_problem(tmp_path, world, "chefer.xlsx", "Förnamn;Efternamn;E-post\r\n".encode())


def test_an_empty_file_is_a_file_error(world, tmp_path):
    _file_problem(tmp_path, world, "chefer.csv", b"")
    _file_problem(tmp_path, world, "tom.csv", b"\xef\xbb\xbf\r\n;;\r\n")


def test_a_file_larger_than_5_mb_is_a_file_error(world, tmp_path):
    _file_problem(tmp_path, world, "stor.csv", b"a;b;c\r\n" * (1024 * 1024))


def test_a_csv_without_the_required_columns_is_a_file_error(world, tmp_path):
    path = write_csv(tmp_path / "chefer.csv", [["Åsa", "Öberg"]], header=["Förnamn", "Efternamn"])
    preview = preview_of(path, world.falun)
    assert len(preview.file_errors) == 1
    assert "E-post" in preview.file_errors[0]


def test_a_file_with_more_than_5000_rows_is_a_file_error(world, tmp_path):
    rows = [row("A", "B", f"chef{i}@falun.se") for i in range(5001)]
    preview = preview_of(write_csv(tmp_path / "chefer.csv", rows), world.falun)
    assert preview.file_errors


def test_other_files_are_file_errors(world, tmp_path):
    _file_problem(tmp_path, world, "gammal.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    _file_problem(tmp_path, world, "bild.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    _file_problem(tmp_path, world, "trasig.xlsx", b"PK\x03\x04" + b"\0" * 100)
    _file_problem(tmp_path, world, "binar.csv", b"\0\1\2\3" * 100)


def test_a_workbook_that_unpacks_to_too_much_is_a_file_error(world, tmp_path):
    path = tmp_path / "bomb.xlsx"
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member,
    ):
        for _ in range(101):
            member.write(b"\0" * (1024 * 1024))
    assert path.stat().st_size < 1024 * 1024
    preview = preview_of(path, world.falun)
    assert preview.file_errors


def test_a_file_with_column_names_only_is_a_file_error(world, tmp_path):
    preview = preview_of(write_csv(tmp_path / "chefer.csv", []), world.falun)
    assert preview.file_errors


@pytest.mark.parametrize("size", [10, 200])
def test_the_preview_runs_a_fixed_number_of_queries(
    world, stored, tmp_path, django_assert_max_num_queries, size
):
    rows = [row("A", "B", f"chef{i}@falun.se", str(5000 + i)) for i in range(size)]
    rows.append(row("Per", "Ek", "per.ek@falun.se", "1002"))
    path = write_csv(tmp_path / "chefer.csv", rows)
    with django_assert_max_num_queries(4):
        preview = preview_of(path, world.falun)
    assert preview.counts["new"] == size


# The pages ---------------------------------------------------------------------------------


def _upload(client, path, municipality, **extra):
    with path.open("rb") as handle:
        return client.post(
            reverse("enrolment:participant_import"),
            {"municipality": municipality.pk, "file": handle, **extra},
        )


def _confirm(client, response):
    return client.post(
        reverse("enrolment:participant_import_apply"), {"token": response.context["token"]}
    )


def test_hr_administrator_previews_then_imports_a_file(client, world, personas, tmp_path):
    path = write_csv(
        tmp_path / "chefer.csv",
        [row("Åsa", "Öberg", "asa@falun.se"), row("Örjan", "Ås", "orjan@falun.se")],
    )
    client.force_login(personas.hr_falun)
    assert client.get(reverse("enrolment:participant_import")).status_code == 200

    response = _upload(client, path, world.falun)

    assert response.status_code == 200
    assert response.context["preview"].counts["new"] == 2
    assert response.context["token"]
    assert "Örjan" in response.content.decode()
    assert not Participant.objects.filter(municipality=world.falun).exists()

    response = _confirm(client, response)

    assert response.status_code == 302
    assert response.url == reverse("enrolment:participant_import")
    created = Participant.objects.filter(municipality=world.falun)
    assert {p.email for p in created} == {"asa@falun.se", "orjan@falun.se"}
    assert {p.history.get().history_user for p in created} == {personas.hr_falun}
    assert SESSION_KEY not in client.session
    # The same confirmation a second time finds nothing waiting.
    client.post(reverse("enrolment:participant_import_apply"), {"token": "x"})
    assert created.count() == 2


def test_programme_administrator_chooses_the_municipality(client, world, personas, tmp_path):
    path = write_xlsx(
        tmp_path / "chefer.xlsx",
        [["Åsa", "Öberg", "asa@borlange.se", "", "Vård- och omsorgsförvaltningen"]],
        header=HEADER[:5],
    )
    client.force_login(personas.programme_admin)
    form = client.get(reverse("enrolment:participant_import")).context["form"]
    assert set(form.fields["municipality"].queryset) == {world.falun, world.borlange}

    response = _confirm(client, _upload(client, path, world.borlange))

    assert response.status_code == 302
    created = Participant.objects.get(email="asa@borlange.se")
    assert created.municipality == world.borlange
    assert created.administration == world.borlange_care


def test_hr_of_falun_cannot_import_into_borlange(client, world, personas, tmp_path):
    path = write_csv(tmp_path / "chefer.csv", [row("Åsa", "Öberg", "asa@x.se", administration="")])
    client.force_login(personas.hr_falun)
    form = client.get(reverse("enrolment:participant_import")).context["form"]
    assert list(form.fields["municipality"].queryset) == [world.falun]

    response = _upload(client, path, world.borlange)

    assert response.status_code == 422
    assert "municipality" in response.context["form"].errors
    assert not Participant.objects.filter(email="asa@x.se").exists()
    assert SESSION_KEY not in client.session


def test_hr_of_falun_gets_404_confirming_an_import_into_borlange(client, world, personas, tmp_path):
    content = write_csv(tmp_path / "c.csv", [row("Åsa", "Öberg", "asa@x.se", administration="")])
    client.force_login(personas.hr_falun)
    session = client.session
    session[SESSION_KEY] = {"token": "t", "municipality": world.borlange.pk, "file_name": "c.csv"}
    session.save()
    cache.set(_cache_key(personas.hr_falun, "t"), content.read_bytes(), 60)

    response = client.post(reverse("enrolment:participant_import_apply"), {"token": "t"})

    assert response.status_code == 404
    assert not Participant.objects.filter(email="asa@x.se").exists()


def test_a_preview_with_errors_offers_no_confirmation(client, world, personas, tmp_path):
    path = write_csv(tmp_path / "chefer.csv", [row("Åsa", "Öberg", "fel"), row("P", "E", "p@x.se")])
    client.force_login(personas.hr_falun)
    response = _upload(client, path, world.falun)
    assert response.status_code == 200
    assert response.context["token"] is None
    assert errors_by_cell(response.context["preview"]) == {(2, "E-post")}
    assert reverse("enrolment:participant_import_apply") not in response.content.decode()
    response = client.post(reverse("enrolment:participant_import_apply"), {"token": ""})
    assert response.status_code == 302
    assert not Participant.objects.filter(municipality=world.falun).exists()


def test_a_conflict_between_preview_and_confirmation_writes_nothing(
    client, world, personas, tmp_path
):
    path = write_csv(
        tmp_path / "chefer.csv",
        [row("A", "A", "a@falun.se"), row("B", "B", "b@falun.se"), row("C", "C", "c@falun.se")],
    )
    client.force_login(personas.hr_falun)
    preview = _upload(client, path, world.falun)
    f.ParticipantFactory(municipality=world.borlange, email="c@falun.se")

    response = _confirm(client, preview)

    assert response.status_code == 409
    assert errors_by_cell(response.context["preview"]) == {(4, "E-post")}
    assert not Participant.objects.filter(municipality=world.falun).exists()


@pytest.mark.parametrize(
    "name, content",
    [
        ("chefer.xlsx", "Förnamn;Efternamn;E-post\r\nÅsa;Öberg;a@x.se\r\n".encode()),
        ("chefer.csv", b""),
        ("chefer.csv", "Förnamn;Efternamn\r\nÅsa;Öberg\r\n".encode("cp1252")),
        ("stor.csv", b"x" * (20 * 1024 * 1024)),
    ],
    ids=["text-named-xlsx", "empty", "missing-columns", "20-mb"],
)
def test_bad_files_give_the_form_with_an_error(client, world, personas, name, content):
    client.force_login(personas.hr_falun)
    response = client.post(
        reverse("enrolment:participant_import"),
        {"municipality": world.falun.pk, "file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 422
    assert "file" in response.context["form"].errors
    assert SESSION_KEY not in client.session
    assert not Participant.objects.filter(municipality=world.falun).exists()


@pytest.mark.parametrize("size", [10, 200])
def test_the_preview_page_runs_a_fixed_number_of_queries(
    client, world, personas, tmp_path, django_assert_max_num_queries, size
):
    rows = [row("A", "B", f"chef{i}@falun.se", str(i)) for i in range(size)]
    path = write_csv(tmp_path / "chefer.csv", rows)
    client.force_login(personas.hr_falun)
    with django_assert_max_num_queries(12):
        response = _upload(client, path, world.falun)
    assert response.context["preview"].counts["new"] == size


def test_the_templates_download_and_import_cleanly(client, world, personas, tmp_path):
    client.force_login(personas.hr_falun)
    csv_response = client.get(reverse("enrolment:participant_import_template", args=["csv"]))
    xlsx_response = client.get(reverse("enrolment:participant_import_template", args=["xlsx"]))
    assert csv_response.status_code == xlsx_response.status_code == 200
    assert csv_response.content.startswith("\ufeffFörnamn;Efternamn;E-post".encode())
    sheet = load_workbook(io.BytesIO(xlsx_response.content)).active
    assert [c.value for c in sheet[1]] == HEADER

    for name, response in (("mall.csv", csv_response), ("mall.xlsx", xlsx_response)):
        path = tmp_path / name
        path.write_bytes(response.content)
        preview = preview_of(path, world.falun)
        assert not preview.has_errors, (name, errors_by_cell(preview))
        assert preview.rows[0].values["appointed_on"] == date(2024, 3, 1)
        assert preview.rows[0].values["administration"] == world.falun_social


@pytest.fixture
def falun_managers(world):
    """Falun's managers as HR keeps them: every column filled in some way, a manager who
    left, a number and a name that start like a formula, capitals in an address."""
    common = {"municipality": world.falun}
    return [
        f.ParticipantFactory(
            first_name="Åsa",
            last_name="Öberg",
            email="Asa.Oberg@Falun.se",
            employee_number="-17",
            administration=world.falun_social,
            operational_area=OperationalArea.LSS,
            position=Position.DEPUTY_UNIT_MANAGER,
            appointed_on=date(2021, 2, 1),
            **common,
        ),
        f.ParticipantFactory(
            first_name="=Örjan",
            last_name="Ås-Lind",
            email="orjan@falun.se",
            employee_number="",
            administration=None,
            operational_area="",
            position="",
            appointed_on=None,
            **common,
        ),
        f.ParticipantFactory(
            first_name="Märta",
            last_name="Eriksson",
            email="marta@falun.se",
            employee_number="0042",
            administration=world.falun_social,
            appointed_on=date(2019, 5, 1),
            left_on=date(2025, 6, 30),
            **common,
        ),
    ]


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_managers_export_imports_back_unchanged(
    client, world, personas, falun_managers, tmp_path, file_format, language
):
    client.force_login(personas.hr_falun)
    client.cookies["django_language"] = language
    stored = list(Participant.objects.filter(municipality=world.falun).order_by("pk").values())
    exported = client.get(reverse("enrolment:participant_export", args=[file_format]))
    assert exported.status_code == 200
    path = tmp_path / f"chefer.{file_format}"
    path.write_bytes(exported.content)

    response = _upload(client, path, world.falun)

    preview = response.context["preview"]
    assert not preview.has_errors, errors_by_cell(preview)
    assert len(preview.rows) >= len(falun_managers)
    assert {r.status for r in preview.rows} == {RowStatus.UNCHANGED}
    assert [c.field for c in preview.columns] == [
        "first_name",
        "last_name",
        "email",
        "employee_number",
        "administration",
        "operational_area",
        "position",
        "appointed_on",
        "left_on",
    ]
    assert response.context["token"] is None
    assert list(Participant.objects.filter(municipality=world.falun).order_by("pk").values()) == (
        stored
    )


def test_the_preview_shows_the_values_as_they_will_be_stored(client, world, personas, tmp_path):
    path = write_csv(
        tmp_path / "chefer.csv",
        [
            row(
                "Åsa",
                "Öberg",
                "  Asa.Oberg@FALUN.se ",
                administration="socialförvaltningen",
                area="lss",
                position="bitr enhetschef",
                appointed="1.3.2024",
            ),
            row("Örjan", "Ås", "inte-en-adress", appointed="20240301"),
        ],
    )
    client.force_login(personas.hr_falun)

    response = _upload(client, path, world.falun)

    first, second = response.context["preview"].rows
    cells = {c.column: c.text for c in first.cells}
    assert cells["E-post"] == "asa.oberg@falun.se"
    assert cells["Förvaltning"] == world.falun_social.name
    with translation.override("sv"):
        assert cells["Verksamhetsområde"] == str(OperationalArea.LSS.label)
        assert cells["Befattning"] == str(Position.DEPUTY_UNIT_MANAGER.label)
    assert cells["Chef sedan"] == "2024-03-01"
    # A cell in error is shown as written, so that it can be found in the file.
    assert {c.column: c.text for c in second.cells}["E-post"] == "inte-en-adress"
    assert {c.column: c.text for c in second.cells}["Chef sedan"] == "2024-03-01"
    page = response.content.decode()
    assert "asa.oberg@falun.se" in page
    assert "Asa.Oberg@FALUN.se" not in page


def test_a_rows_errors_are_written_under_it_across_the_table(client, world, personas, tmp_path):
    path = write_csv(tmp_path / "chefer.csv", [row("Åsa", "Öberg", "inte-en-adress")])
    client.force_login(personas.hr_falun)

    page = _upload(client, path, world.falun).content.decode()

    details = page.split('<tr class="import-details table-danger">', 1)[1].split("</tr>", 1)[0]
    assert f'colspan="{len(HEADER) + 1}"' in details
    assert "E-post" in details and "inte en giltig e-postadress" in details


# Who may import -----------------------------------------------------------------------------

OUTSIDERS = ["head_borlange", "head_borlange_social", "council", "manager", "no_role"]


def _import_urls():
    return [
        ("get", reverse("enrolment:participant_import")),
        ("post", reverse("enrolment:participant_import")),
        ("post", reverse("enrolment:participant_import_apply")),
        ("get", reverse("enrolment:participant_import_template", args=["csv"])),
        ("get", reverse("enrolment:participant_import_template", args=["xlsx"])),
    ]


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_roles_other_than_hr_and_programme_administrators_get_404_for_every_import_url(
    client, personas, persona
):
    client.force_login(personas.all()[persona])
    for method, url in _import_urls():
        response = getattr(client, method)(url)
        assert response.status_code == 404, (persona, method, url)


def test_anonymous_users_are_sent_to_log_in_from_every_import_url(client, personas):
    for method, url in _import_urls():
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", ["programme_admin", "hr_falun", "hr_borlange"])
def test_importers_see_the_import_page_and_templates(client, personas, persona):
    client.force_login(personas.all()[persona])
    assert client.get(reverse("enrolment:participant_import")).status_code == 200
    assert client.get(reverse("enrolment:participant_import_apply")).status_code == 405
    for file_format in ("csv", "xlsx"):
        url = reverse("enrolment:participant_import_template", args=[file_format])
        assert client.get(url).status_code == 200


def test_an_unknown_template_format_is_404(client, personas):
    client.force_login(personas.hr_falun)
    assert client.get("/chefer/import/mall.pdf").status_code == 404
