"""Uploads with bounded cost: whatever a file holds, reading it takes a few seconds and a
few tens of MB at most, and a refusal is a Swedish message, never a 500."""

import time
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from enrolment.services.imports import participants_import_preview
from enrolment.services.imports.limits import MAX_CELLS, MAX_SHARED_STRINGS, MAX_SHEET_ROWS
from tests.enrolment import xlsx_parts as x

SECONDS = 5
PEAK_MB = 100
TOO_MUCH = "Filen innehåller mer än en lista över chefer"
NOT_A_WORKBOOK = "Filen gick inte att läsa som Excel-arbetsbok"

BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
    '<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">'
    '<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">'
    '<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">'
    '<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">'
    '<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>'
)
EXTERNAL = '<!DOCTYPE r [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'


def _dense_rows(rows: int, columns: int, start: int = 2) -> str:
    cell = '<c t="n"><v>1</v></c>' * columns
    return "".join(f'<row r="{n}">{cell}</row>' for n in range(start, start + rows))


HEADER = x.header_row()
FAR_ROW = '<row r="1048576"><c t="n"><v>1</v></c></row>'
ENTITY_ROW = '<row r="2"><c t="inlineStr"><is><t>&lol9;</t></is></c></row>'


def _with_strings(body: str, before: str = "") -> bytes:
    strings = x.shared_strings(x.SHARED_HEADER + body)
    return x.workbook(x.sheet(HEADER), strings.replace(b"<sst", before.encode() + b"<sst", 1))


def _utf16_entity_sheet() -> bytes:
    # In UTF-16 the byte scan sees no "<!DOCTYPE"; the XML parser (defusedxml) refuses it.
    text = x.sheet(HEADER, before=BILLION_LAUGHS).decode()
    return x.workbook(text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"))


# Each file is built by the test that uses it: some take a second to pack.
BOMBS = {
    "many-rows": lambda: x.workbook(x.sheet(HEADER + _dense_rows(MAX_SHEET_ROWS + 10, 1))),
    "many-cells": lambda: x.workbook(x.sheet(HEADER + _dense_rows(3_000, 40))),
    "wide-rows": lambda: x.workbook(x.sheet(HEADER + _dense_rows(5, MAX_CELLS // 4))),
    # The upload that took 61 s: 100 MB of cells, packed to half a MB.
    "deflated-sheet": lambda: x.workbook(x.sheet(HEADER + _dense_rows(100_000, 40))),
    "many-shared-strings": lambda: _with_strings("<si><t>a</t></si>" * (MAX_SHARED_STRINGS + 1)),
    "huge-shared-string": lambda: _with_strings("<si><t>" + "a" * (12 * 1024 * 1024) + "</t></si>"),
    "huge-dimension": lambda: x.workbook(
        x.sheet(HEADER + x.manager_row(2) + FAR_ROW, dimension="A1:XFD1048576")
    ),
    "entity-expansion": lambda: x.workbook(x.sheet(HEADER + ENTITY_ROW, before=BILLION_LAUGHS)),
    "external-entity": lambda: _with_strings("<si><t>&secret;</t></si>", before=EXTERNAL),
    "entity-expansion-utf16": _utf16_entity_sheet,
    "csv-many-lines": lambda: "Förnamn;Efternamn;E-post\r\n".encode() + b"\r\n" * (2 * 1024**2),
    "csv-many-rows": lambda: ("Förnamn;Efternamn;E-post\r\n" + "a;b;c\r\n" * 30_000).encode(),
    "csv-wide-line": lambda: "Förnamn;Efternamn;E-post\r\n".encode() + b";x" * (2 * 1024**2),
}


@pytest.mark.parametrize("name", list(BOMBS))
def test_a_hostile_file_is_refused_with_a_swedish_message_in_bounded_time_and_memory(world, name):
    content = BOMBS[name]()
    file_name = "chefer.csv" if name.startswith("csv") else "chefer.xlsx"
    tracemalloc.start()
    # Processor time: what the file costs, whatever else the machine is doing meanwhile.
    started = time.process_time()
    try:
        with translation.override("sv"):
            preview = participants_import_preview(
                file_name=file_name, content=content, municipality=world.falun
            )
        seconds = time.process_time() - started
        peak_mb = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    finally:
        tracemalloc.stop()

    assert len(content) < 5 * 1024 * 1024
    assert preview.file_errors, preview.rows[:3]
    assert preview.rows == []
    message = preview.file_errors[0]
    assert message.startswith(("Filen", "CSV-filen")), message
    assert seconds < SECONDS, (name, seconds)
    assert peak_mb < PEAK_MB, (name, peak_mb)


def test_the_refusals_name_the_bound_or_the_broken_file(world):
    def message(name):
        preview = participants_import_preview(
            file_name="chefer.xlsx", content=BOMBS[name](), municipality=world.falun
        )
        return preview.file_errors[0]

    with translation.override("sv"):
        assert TOO_MUCH in message("many-cells")
        assert TOO_MUCH in message("many-shared-strings")
        assert NOT_A_WORKBOOK in message("entity-expansion")
        assert NOT_A_WORKBOOK in message("external-entity")
        assert NOT_A_WORKBOOK in message("entity-expansion-utf16")


def test_a_huge_declared_dimension_alone_does_not_stop_a_good_file(world):
    content = x.workbook(x.sheet(x.header_row() + x.manager_row(2), dimension="A1:XFD1048576"))
    preview = participants_import_preview(
        file_name="chefer.xlsx", content=content, municipality=world.falun
    )
    assert preview.file_errors == []
    assert [row.values["email"] for row in preview.rows] == ["anna2@falun.se"]


def test_an_upload_of_a_bomb_answers_422_with_the_message(client, world, personas):
    client.force_login(personas.hr_falun)
    response = client.post(
        reverse("enrolment:participant_import"),
        {
            "municipality": world.falun.pk,
            "file": SimpleUploadedFile("chefer.xlsx", BOMBS["deflated-sheet"]()),
        },
    )
    assert response.status_code == 422
    assert TOO_MUCH in response.content.decode()
