"""The managers pages: list, export, detail, nomination and the edit forms."""

import csv
import io
import re
from datetime import date, datetime, time
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from enrolment.models import Enrolment, EnrolmentEvent, EnrolmentState, Participant
from enrolment.services.enrolments import WARNING_CODES, enrolment_nominate
from enrolment.services.participants import participant_update
from programmes.models import OfferingState
from tests import factories as f
from tests.budgets import STANDING_REFRESH

S = EnrolmentState

PEOPLE = {"programme_admin", "hr_falun", "hr_borlange", "head_borlange", "head_borlange_social"}
EDITORS = {"programme_admin", "hr_falun", "hr_borlange"}
BORLANGE_EDITORS = {"programme_admin", "hr_borlange"}
ALL = PEOPLE | {"council", "manager", "no_role"}


@pytest.fixture
def others(world):
    return {
        "borlange_care": f.ParticipantFactory(
            municipality=world.borlange,
            administration=world.borlange_care,
            first_name="Bo",
            last_name="Care",
            email="bo.care@borlange.se",
        ),
        "falun": f.ParticipantFactory(
            municipality=world.falun,
            administration=world.falun_social,
            first_name="Frida",
            last_name="Falk",
            email="frida.falk@falun.se",
        ),
    }


@pytest.fixture
def offering(world):
    return f.OfferingFactory(course=world.courses["new"], term="VT2027", state=OfferingState.OPEN)


def _list(**params):
    return reverse("enrolment:participant_list"), params


def _names(response):
    return [row["participant"].last_name for row in response.context["rows"]]


# --- who may open what ---------------------------------------------------------------------


def _get_urls(personas):
    own = personas.manager_participant.pk
    return {
        "list": (reverse("enrolment:participant_list"), PEOPLE),
        "export_csv": (reverse("enrolment:participant_export", args=["csv"]), PEOPLE),
        "export_xlsx": (reverse("enrolment:participant_export", args=["xlsx"]), PEOPLE),
        "create": (reverse("enrolment:participant_create"), EDITORS),
        "update": (reverse("enrolment:participant_update", args=[own]), BORLANGE_EDITORS),
        "leave": (reverse("enrolment:participant_leave", args=[own]), BORLANGE_EDITORS),
    }


def _post_urls(personas):
    own = personas.manager_participant.pk
    return {
        "bulk_nominate": (reverse("enrolment:participant_bulk_nominate"), EDITORS),
        "nominate": (reverse("enrolment:participant_nominate", args=[own]), BORLANGE_EDITORS),
        "create_post": (reverse("enrolment:participant_create"), EDITORS),
        "update_post": (
            reverse("enrolment:participant_update", args=[own]),
            BORLANGE_EDITORS,
        ),
        "leave_post": (reverse("enrolment:participant_leave", args=[own]), BORLANGE_EDITORS),
    }


GET_NAMES = ["list", "export_csv", "export_xlsx", "create", "update", "leave"]
POST_NAMES = ["bulk_nominate", "nominate", "create_post", "update_post", "leave_post"]


@pytest.mark.parametrize("name", GET_NAMES)
@pytest.mark.parametrize("persona", sorted(ALL))
def test_each_page_answers_each_persona_by_scope(client, personas, name, persona):
    url, allowed = _get_urls(personas)[name]
    client.force_login(personas.all()[persona])
    response = client.get(url)
    expected = 200 if persona in allowed else 404
    assert response.status_code == expected, (name, persona, response.status_code)


@pytest.mark.parametrize("name", POST_NAMES)
@pytest.mark.parametrize("persona", sorted(ALL))
def test_each_form_post_answers_each_persona_by_scope(client, personas, name, persona):
    url, allowed = _post_urls(personas)[name]
    client.force_login(personas.all()[persona])
    response = client.post(url, {})
    if persona in allowed:
        # Empty data: the form again with errors, or back to the list with a message.
        assert response.status_code in (422, 302), (name, persona, response.status_code)
    else:
        assert response.status_code == 404, (name, persona, response.status_code)
    assert not Enrolment.objects.exists()
    assert Participant.objects.count() == 1
    personas.manager_participant.refresh_from_db()
    assert personas.manager_participant.left_on is None


@pytest.mark.parametrize("name", GET_NAMES + POST_NAMES)
def test_anonymous_users_are_sent_to_log_in(client, personas, name):
    urls = {**_get_urls(personas), **_post_urls(personas)}
    url, _ = urls[name]
    response = client.post(url) if name in POST_NAMES else client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("path", ["/chefer/export.pdf/", "/chefer/export.csvx/", "/chefer/export/"])
def test_export_in_an_unknown_format_is_404(client, personas, path):
    client.force_login(personas.programme_admin)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("name", ["participant_detail", "participant_update", "participant_leave"])
def test_an_unknown_manager_id_is_404(client, personas, name):
    client.force_login(personas.programme_admin)
    assert client.get(reverse(f"enrolment:{name}", args=[999999])).status_code == 404


def test_manager_who_edits_the_id_in_the_url_gets_404(client, personas, others):
    client.force_login(personas.manager)
    own = reverse("enrolment:participant_detail", args=[personas.manager_participant.pk])
    assert client.get(own).status_code == 200
    for other in others.values():
        response = client.get(reverse("enrolment:participant_detail", args=[other.pk]))
        assert response.status_code == 404
        assert other.last_name not in response.content.decode()


def test_hr_of_falun_gets_404_for_the_pages_of_a_borlange_manager(client, personas):
    client.force_login(personas.hr_falun)
    pk = personas.manager_participant.pk
    for name in ("participant_detail", "participant_update", "participant_leave"):
        assert client.get(reverse(f"enrolment:{name}", args=[pk])).status_code == 404


# --- the list ------------------------------------------------------------------------------


def test_hr_of_falun_lists_only_falun_managers(client, personas, others):
    client.force_login(personas.hr_falun)
    response = client.get(reverse("enrolment:participant_list"))
    assert _names(response) == ["Falk"]


def test_head_of_an_administration_lists_only_that_administration(client, personas, others):
    client.force_login(personas.head_borlange_social)
    response = client.get(reverse("enrolment:participant_list"))
    assert _names(response) == ["Ståhl"]


@pytest.mark.parametrize(
    "q, expected",
    [
        ("frida", ["Falk"]),
        ("FALK", ["Falk"]),
        ("bo.care@", ["Care"]),
        ("Märta  Ståhl", ["Ståhl"]),
        ("ta stå", ["Ståhl"]),
        ("nobody", []),
        ("   ", ["Care", "Falk", "Ståhl"]),
    ],
)
def test_search_matches_first_last_and_full_name_and_email(client, personas, others, q, expected):
    client.force_login(personas.programme_admin)
    response = client.get(reverse("enrolment:participant_list"), {"q": q})
    assert sorted(_names(response)) == expected


def test_filters_by_municipality_administration_area_and_position(client, world, personas, others):
    others["falun"].operational_area = "lss"
    others["falun"].position = "deputy_unit_manager"
    others["falun"].save()
    client.force_login(personas.programme_admin)
    url = reverse("enrolment:participant_list")
    by_municipality = client.get(url, {"municipality": world.borlange.pk})
    assert sorted(_names(by_municipality)) == ["Care", "Ståhl"]
    by_administration = client.get(url, {"administration": world.borlange_care.pk})
    assert _names(by_administration) == ["Care"]
    assert _names(client.get(url, {"operational_area": "lss"})) == ["Falk"]
    assert _names(client.get(url, {"position": "deputy_unit_manager"})) == ["Falk"]


def test_municipality_filter_is_offered_only_to_users_reaching_several(client, personas, others):
    client.force_login(personas.hr_falun)
    response = client.get(reverse("enrolment:participant_list"))
    assert "municipality" not in response.context["filter"].form.fields
    client.force_login(personas.programme_admin)
    response = client.get(reverse("enrolment:participant_list"))
    choices = response.context["filter"].form.fields["municipality"].queryset
    assert {m.name for m in choices} == {"Falun", "Borlänge"}


def test_filter_choices_outside_the_reach_are_ignored_not_obeyed(client, world, personas, others):
    client.force_login(personas.hr_falun)
    url = reverse("enrolment:participant_list")
    form_choices = (
        client.get(url)
        .context["filter"]
        .form.fields["administration"]
        .queryset.values_list("pk", flat=True)
    )
    assert list(form_choices) == [world.falun_social.pk]
    for params in (
        {"administration": world.borlange_care.pk},
        {"municipality": world.borlange.pk},
        {"administration": "abc"},
        {"status": "bogus"},
    ):
        response = client.get(url, params)
        assert response.status_code == 200
        assert _names(response) == ["Falk"]


@pytest.fixture
def statuses(world):
    """One manager per programme status, made by hand."""
    make = f.ParticipantFactory
    people = {
        "not_started": make(municipality=world.falun, last_name="Nystart"),
        "in_progress": make(municipality=world.falun, last_name="Pågår"),
        "by_passes": make(municipality=world.falun, last_name="Klarpass"),
        "by_transfer": make(municipality=world.falun, last_name="Klartillgodo"),
        "left": make(municipality=world.falun, last_name="Slutat", left_on=date(2024, 6, 1)),
    }
    f.EnrolmentFactory(
        participant=people["in_progress"], offering=f.offering_for(world.courses["law"], "HT2025")
    )
    for course, term in [
        ("new", "HT2022"),
        ("steering", "VT2023"),
        ("law", "HT2023"),
        ("systems", "VT2024"),
    ]:
        f.pass_course(people["by_passes"], world.courses[course], term)
    f.CreditTransferFactory(participant=people["by_transfer"], programme=world.programme)
    f.pass_course(people["left"], world.courses["collab"], "HT2022")
    return people


@pytest.mark.parametrize(
    "status, expected",
    [
        ("not_started", ["Nystart"]),
        ("in_progress", ["Pågår"]),
        ("completed", ["Klarpass"]),
        ("exempt", ["Klartillgodo"]),
        ("left", ["Slutat"]),
    ],
)
def test_status_filter_on_hand_made_managers(client, personas, statuses, status, expected):
    client.force_login(personas.hr_falun)
    response = client.get(reverse("enrolment:participant_list"), {"status": status})
    assert sorted(_names(response)) == expected


def test_rows_show_slots_filled_hp_and_status(client, personas, statuses):
    client.force_login(personas.hr_falun)
    response = client.get(reverse("enrolment:participant_list"), {"ordering": "name"})
    rows = {r["participant"].last_name: r for r in response.context["rows"]}
    assert rows["Klarpass"]["standing"].slots_filled == 4
    assert rows["Klarpass"]["standing"].hp == Decimal("30.0")
    assert rows["Slutat"]["standing"].slots_filled == 1
    html = response.content.decode()
    assert "4/4" in html
    assert "1/4" in html


@pytest.mark.parametrize(
    "ordering, expected",
    [
        ("name", ["Klarpass", "Klartillgodo", "Nystart", "Pågår", "Slutat"]),
        ("-name", ["Slutat", "Pågår", "Nystart", "Klartillgodo", "Klarpass"]),
        ("-hp", ["Klarpass", "Klartillgodo", "Slutat", "Nystart", "Pågår"]),
    ],
)
def test_sorting_by_name_and_hp(client, personas, statuses, ordering, expected):
    client.force_login(personas.hr_falun)
    response = client.get(reverse("enrolment:participant_list"), {"ordering": ordering})
    assert _names(response) == expected


def test_sorting_by_municipality_and_appointment(client, world, personas, others):
    others["borlange_care"].appointed_on = date(2019, 1, 1)
    others["borlange_care"].save()
    others["falun"].appointed_on = None
    others["falun"].save()
    client.force_login(personas.programme_admin)
    url = reverse("enrolment:participant_list")
    by_municipality = client.get(url, {"ordering": "-municipality"})
    assert [r["participant"].municipality.name for r in by_municipality.context["rows"]] == [
        "Falun",
        "Borlänge",
        "Borlänge",
    ]
    # Managers without an appointment date come last, whichever the direction.
    assert _names(client.get(url, {"ordering": "appointed"})) == ["Care", "Ståhl", "Falk"]
    assert _names(client.get(url, {"ordering": "-appointed"})) == ["Ståhl", "Care", "Falk"]


@pytest.fixture
def sixty(world):
    return f.ParticipantFactory.create_batch(60, municipality=world.falun)


def test_pages_hold_fifty_managers(client, personas, sixty):
    client.force_login(personas.hr_falun)
    url = reverse("enrolment:participant_list")
    first = client.get(url)
    assert len(first.context["rows"]) == 50
    second = client.get(url, {"page": 2})
    assert len(second.context["rows"]) == 10
    shown = {r["participant"].pk for r in first.context["rows"] + second.context["rows"]}
    assert shown == {p.pk for p in sixty}
    assert 'aria-current="page"' in second.content.decode()


@pytest.mark.parametrize(
    "params, page_number",
    [
        ({"page": "abc"}, 1),
        ({"page": "9999"}, 2),
        ({"page": "-1"}, 2),
        ({"page": ""}, 1),
        ({"ordering": "password"}, 1),
        ({"ordering": "-hp,;DROP"}, 1),
        ({"ordering": "name", "page": "last"}, 1),
    ],
)
def test_bad_paging_and_sorting_parameters_never_fail(client, personas, sixty, params, page_number):
    client.force_login(personas.hr_falun)
    response = client.get(reverse("enrolment:participant_list"), params)
    assert response.status_code == 200
    assert response.context["page"].number == page_number


def test_status_filter_and_pagination_agree_on_the_count(client, world, personas, statuses):
    offering = f.offering_for(world.courses["steering"], "HT2025")
    for participant in f.ParticipantFactory.create_batch(60, municipality=world.falun):
        f.EnrolmentFactory(participant=participant, offering=offering)
    client.force_login(personas.hr_falun)
    url = reverse("enrolment:participant_list")
    response = client.get(url, {"status": "in_progress", "page": 2})
    assert response.context["page"].paginator.count == 61
    assert len(response.context["rows"]) == 11
    assert {r["participant"].programme_status for r in response.context["rows"]} == {"in_progress"}


def test_a_bogus_ordering_falls_back_to_name_order(client, personas, statuses):
    client.force_login(personas.hr_falun)
    response = client.get(reverse("enrolment:participant_list"), {"ordering": "email"})
    assert _names(response) == ["Klarpass", "Klartillgodo", "Nystart", "Pågår", "Slutat"]


def _populate(world, count):
    offering = f.offering_for(world.courses["steering"], "HT2025")
    for index, participant in enumerate(
        f.ParticipantFactory.create_batch(count, municipality=world.borlange)
    ):
        f.pass_course(participant, world.courses["new"], "HT2023")
        f.EnrolmentFactory(participant=participant, offering=offering)
        if index % 3 == 0:
            f.CreditTransferFactory(participant=participant, slot=world.slots[3])


@pytest.mark.parametrize("size", [10, 200])
def test_the_list_runs_in_constant_queries(
    client, world, personas, offering, django_assert_max_num_queries, size
):
    _populate(world, size)
    client.force_login(personas.hr_borlange)
    url = reverse("enrolment:participant_list")
    # One of them asks whether any offering is open, for the bulk nomination above the list.
    with django_assert_max_num_queries(15 + STANDING_REFRESH):
        response = client.get(url, {"ordering": "-hp", "status": "in_progress"})
    assert response.status_code == 200
    assert len(response.context["rows"]) == min(size, 50)


# --- export ---------------------------------------------------------------------------------


def _csv_rows(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_csv_export_holds_every_filtered_row_in_scope(client, world, personas, statuses, others):
    f.ParticipantFactory.create_batch(55, municipality=world.falun, last_name="Massa")
    f.ParticipantFactory(municipality=world.borlange, last_name="Massa")
    client.force_login(personas.hr_falun)
    url = reverse("enrolment:participant_export", args=["csv"])
    response = client.get(url, {"q": "massa", "page": 2})
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv_rows(response)
    assert len(rows) == 1 + 55
    assert all(row[4] == "Falun" for row in rows[1:])
    for status, name in (("completed", "Klarpass"), ("exempt", "Klartillgodo")):
        done = _csv_rows(client.get(url, {"status": status, "ordering": "name"}))
        assert [row[1] for row in done[1:]] == [name]
        assert [row[10:12] for row in done[1:]] == [["4", "30,0"]]


def test_xlsx_export_reads_back_with_the_filtered_rows(client, world, personas, statuses, others):
    client.force_login(personas.programme_admin)
    response = client.get(
        reverse("enrolment:participant_export", args=["xlsx"]),
        {"municipality": world.falun.pk, "ordering": "name"},
    )
    assert "spreadsheetml" in response["Content-Type"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows[0]) == 13
    body = rows[1:]
    assert [r[1] for r in body] == [
        "Falk",
        "Klarpass",
        "Klartillgodo",
        "Nystart",
        "Pågår",
        "Slutat",
    ]
    slutat = body[-1]
    assert slutat[9].date() == date(2024, 6, 1)
    assert (slutat[10], slutat[11]) == (1, 7.5)


def test_head_of_an_administration_exports_only_that_administration(client, personas, others):
    client.force_login(personas.head_borlange_social)
    rows = _csv_rows(client.get(reverse("enrolment:participant_export", args=["csv"])))
    assert [row[1] for row in rows[1:]] == ["Ståhl"]


# --- bulk nomination ------------------------------------------------------------------------


def test_only_editors_get_checkboxes_for_the_managers_they_may_nominate(
    client, world, personas, others, offering
):
    client.force_login(personas.head_borlange)
    response = client.get(reverse("enrolment:participant_list"))
    assert response.context["bulk_form"] is None
    assert 'name="participants"' not in response.content.decode()
    client.force_login(personas.hr_borlange)
    response = client.get(reverse("enrolment:participant_list"))
    assert all(row["checkbox"] is not None for row in response.context["rows"])
    offerings = response.context["bulk_form"].fields["offering"].queryset
    assert list(offerings) == [offering]


def test_hr_bulk_nominates_and_is_told_who_was_refused(client, world, personas, others, offering):
    left = f.ParticipantFactory(municipality=world.borlange, left_on=date(2024, 1, 1))
    client.force_login(personas.hr_borlange)
    response = client.post(
        reverse("enrolment:participant_bulk_nominate"),
        {
            "participants": [personas.manager_participant.pk, others["borlange_care"].pk, left.pk],
            "offering": offering.pk,
            "query": "status=not_started&q=a",
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("enrolment:participant_list") + "?status=not_started&q=a"
    nominated = set(Enrolment.objects.values_list("participant_id", flat=True))
    assert nominated == {personas.manager_participant.pk, others["borlange_care"].pk}
    levels = [m.level_tag for m in get_messages(response.wsgi_request)]
    assert levels == ["success", "warning"]
    assert EnrolmentEvent.objects.filter(actor=personas.hr_borlange).count() == 2


@pytest.mark.parametrize("mixed", [False, True], ids=["borlange_only", "falun_and_borlange"])
def test_hr_of_falun_bulk_nominating_a_borlange_manager_gets_404_and_nothing_is_written(
    client, personas, others, offering, mixed
):
    ids = [personas.manager_participant.pk] + ([others["falun"].pk] if mixed else [])
    client.force_login(personas.hr_falun)
    response = client.post(
        reverse("enrolment:participant_bulk_nominate"),
        {"participants": ids, "offering": offering.pk},
    )
    assert response.status_code == 404
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"participants": ["999999"], "offering": "OFFERING"},
        {"participants": ["abc"], "offering": "OFFERING"},
        {"participants": ["PARTICIPANT"], "offering": "999999"},
        {"participants": ["PARTICIPANT"], "offering": "x1"},
    ],
)
def test_bulk_nomination_with_unknown_ids_is_404(client, personas, offering, data):
    data = {
        key: (
            [personas.manager_participant.pk if v == "PARTICIPANT" else v for v in value]
            if isinstance(value, list)
            else (offering.pk if value == "OFFERING" else value)
        )
        for key, value in data.items()
    }
    client.force_login(personas.hr_borlange)
    response = client.post(reverse("enrolment:participant_bulk_nominate"), data)
    assert response.status_code == 404
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize("missing", ["participants", "offering"])
def test_bulk_nomination_with_missing_fields_goes_back_with_an_error(
    client, personas, offering, missing
):
    data = {"participants": [personas.manager_participant.pk], "offering": offering.pk}
    del data[missing]
    client.force_login(personas.hr_borlange)
    response = client.post(reverse("enrolment:participant_bulk_nominate"), data)
    assert response.status_code == 302
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    assert not Enrolment.objects.exists()


def test_nominating_to_a_closed_offering_is_refused_with_a_reason(
    client, world, personas, offering
):
    closed = f.OfferingFactory(
        course=world.courses["steering"], term="VT2027", state=OfferingState.CLOSED
    )
    client.force_login(personas.hr_borlange)
    response = client.post(
        reverse("enrolment:participant_bulk_nominate"),
        {"participants": [personas.manager_participant.pk], "offering": closed.pk},
    )
    assert response.status_code == 302
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["warning"]
    assert not Enrolment.objects.exists()


def test_get_on_a_nomination_url_is_not_allowed(client, personas):
    client.force_login(personas.hr_borlange)
    assert client.get(reverse("enrolment:participant_bulk_nominate")).status_code == 405


# --- the manager's page ---------------------------------------------------------------------


def test_single_nomination_from_the_managers_page(client, personas, offering):
    client.force_login(personas.hr_borlange)
    pk = personas.manager_participant.pk
    response = client.post(
        reverse("enrolment:participant_nominate", args=[pk]), {"offering": offering.pk}
    )
    assert response.status_code == 302
    assert response.url == reverse("enrolment:participant_detail", args=[pk])
    enrolment = Enrolment.objects.get()
    assert (enrolment.participant_id, enrolment.offering_id) == (pk, offering.pk)


def test_a_refused_single_nomination_shows_the_reason_on_the_page(
    client, world, personas, offering
):
    enrolment_nominate(
        participant=personas.manager_participant, offering=offering, actor=personas.hr_borlange
    )
    other = f.OfferingFactory(course=world.courses["collab"], term="VT2027")
    client.force_login(personas.hr_borlange)
    response = client.post(
        reverse("enrolment:participant_nominate", args=[personas.manager_participant.pk]),
        {"offering": other.pk},
    )
    assert response.status_code == 422
    errors = response.context["nomination_form"].non_field_errors()
    assert len(errors) == 1
    assert "VT2027" in errors[0]
    assert Enrolment.objects.count() == 1


@pytest.mark.parametrize("offering_value, status", [("", 422), ("abc", 404), ("999999", 404)])
def test_single_nomination_with_a_missing_or_unknown_offering(
    client, personas, offering, offering_value, status
):
    client.force_login(personas.hr_borlange)
    response = client.post(
        reverse("enrolment:participant_nominate", args=[personas.manager_participant.pk]),
        {"offering": offering_value},
    )
    assert response.status_code == status
    if status == 422:
        assert "offering" in response.context["nomination_form"].errors
    assert not Enrolment.objects.exists()


def test_hr_of_falun_nominating_a_borlange_manager_gets_404_and_nothing_is_written(
    client, personas, offering
):
    client.force_login(personas.hr_falun)
    response = client.post(
        reverse("enrolment:participant_nominate", args=[personas.manager_participant.pk]),
        {"offering": offering.pk},
    )
    assert response.status_code == 404
    assert not Enrolment.objects.exists()


def test_detail_shows_enrolments_with_their_events_and_what_comes_next(
    client, world, personas, offering
):
    participant = personas.manager_participant
    enrolment = enrolment_nominate(
        participant=participant, offering=offering, actor=personas.hr_borlange
    )
    enrolment.events.update(note="Anmäld av HR")
    f.OfferingFactory(course=world.courses["steering"], term="HT2026", state=OfferingState.OPEN)
    client.force_login(personas.hr_borlange)
    response = client.get(reverse("enrolment:participant_detail", args=[participant.pk]))
    assert response.status_code == 200
    [shown] = response.context["enrolments"]
    assert [e.note for e in shown.events.all()] == ["Anmäld av HR"]
    assert response.context["next_slot"].slot == world.slots[1]
    assert [o.term for o in response.context["next_offerings"]] == ["HT2026"]
    assert "Anmäld av HR" in response.content.decode()
    assert response.context["can_edit"]
    assert response.context["nomination_form"] is not None


@pytest.mark.parametrize(
    "persona, sees_trail",
    [
        ("programme_admin", True),
        ("hr_borlange", True),
        ("head_borlange", False),
        ("head_borlange_social", False),
        ("manager", False),
    ],
)
def test_audit_trail_is_shown_to_hr_and_programme_administrators_only(
    client, world, personas, persona, sees_trail
):
    participant = personas.manager_participant
    participant_update(
        user=personas.hr_borlange,
        participant=participant,
        municipality=world.borlange,
        administration=world.borlange_social,
        first_name="Märta",
        last_name="Ståhl-Berg",
        email="marta.stahl@borlange.se",
    )
    client.force_login(personas.all()[persona])
    response = client.get(reverse("enrolment:participant_detail", args=[participant.pk]))
    assert response.status_code == 200
    trail = response.context["audit_trail"]
    if not sees_trail:
        assert trail is None
        assert response.context["nomination_form"] is None
        html = response.content.decode()
        assert reverse("enrolment:participant_update", args=[participant.pk]) not in html
        return
    assert len(trail) == 2
    latest = trail[0]
    assert latest.who == personas.hr_borlange
    changes = {c.field: (c.old, c.new) for c in latest.changes}
    assert changes["last_name"] == ("Ståhl", "Ståhl-Berg")


def test_audit_trail_names_the_related_objects_that_changed(client, world, personas, others):
    participant = others["borlange_care"]
    participant_update(
        user=personas.programme_admin,
        participant=participant,
        municipality=world.borlange,
        administration=world.borlange_social,
        first_name=participant.first_name,
        last_name=participant.last_name,
        email=participant.email,
        position="deputy_unit_manager",
    )
    client.force_login(personas.programme_admin)
    response = client.get(reverse("enrolment:participant_detail", args=[participant.pk]))
    changes = {c.field: (c.old, c.new) for c in response.context["audit_trail"][0].changes}
    assert changes["administration"] == ("Vård- och omsorgsförvaltningen", "Socialförvaltningen")
    assert set(changes) >= {"administration", "position", "appointed_on", "operational_area"}


@pytest.mark.parametrize("size", [1, 20])
def test_the_managers_page_runs_in_constant_queries(
    client, world, personas, django_assert_max_num_queries, size
):
    participant = personas.manager_participant
    for index in range(size):
        offering = f.OfferingFactory(
            course=world.courses["law"], term=f"HT{2030 + index}", state=OfferingState.OPEN
        )
        enrolment = enrolment_nominate(
            participant=participant,
            offering=offering,
            actor=personas.hr_borlange,
            confirmed=WARNING_CODES,
        )
        enrolment.state = S.WITHDRAWN
        enrolment.save()
        EnrolmentEvent.objects.create(
            enrolment=enrolment,
            from_state=S.NOMINATED,
            to_state=S.WITHDRAWN,
            actor=personas.programme_admin,
            at=enrolment.created_at,
        )
        participant.last_name = f"Ståhl{index}"
        participant.save()
    client.force_login(personas.hr_borlange)
    # Two of them write the access log: who opened the manager's record; two read the
    # deadlines: the mandates and the deadline decisions; compliance reads its own, and
    # the plan and the open offerings one each.
    with django_assert_max_num_queries(25):
        response = client.get(reverse("enrolment:participant_detail", args=[participant.pk]))
    assert len(response.context["enrolments"]) == size
    assert len(response.context["audit_trail"]) == size + 1


# --- adding, editing, leaving ---------------------------------------------------------------


def _form_data(**overrides):
    data = {
        "first_name": "Greta",
        "last_name": "Lind",
        "email": "greta.lind@falun.se",
        "employee_number": "4711",
        "administration": "",
        "operational_area": "elderly",
        "position": "unit_manager",
        "appointed_on": "2024-02-01",
    }
    data.update(overrides)
    return data


def test_hr_adds_a_manager_to_their_own_municipality(client, world, personas):
    client.force_login(personas.hr_falun)
    url = reverse("enrolment:participant_create")
    form = client.get(url).context["form"]
    assert "municipality" not in form.fields
    assert list(form.fields["administration"].queryset) == [world.falun_social]
    response = client.post(url, _form_data(administration=world.falun_social.pk))
    created = Participant.objects.get(email="greta.lind@falun.se")
    assert response.status_code == 302
    assert response.url == reverse("enrolment:participant_detail", args=[created.pk])
    assert (created.municipality, created.administration) == (world.falun, world.falun_social)
    assert created.history.get().history_user == personas.hr_falun


def test_programme_admin_chooses_the_municipality(client, world, personas):
    client.force_login(personas.programme_admin)
    url = reverse("enrolment:participant_create")
    form = client.get(url).context["form"]
    assert {m.name for m in form.fields["municipality"].queryset} == {"Falun", "Borlänge"}
    response = client.post(
        url, _form_data(municipality=world.borlange.pk, administration=world.borlange_care.pk)
    )
    assert response.status_code == 302
    created = Participant.objects.get(email="greta.lind@falun.se")
    assert created.municipality == world.borlange


@pytest.mark.parametrize(
    "overrides, error_field",
    [
        ({"first_name": ""}, "first_name"),
        ({"email": ""}, "email"),
        ({"email": "not-an-address"}, "email"),
        ({"email": "MARTA.STAHL@borlange.se"}, "email"),
        ({"appointed_on": "32/13/2025"}, "appointed_on"),
        ({"appointed_on": "2025-02-30"}, "appointed_on"),
        ({"position": "king"}, "position"),
        ({"administration": "abc"}, "administration"),
        ({"administration": "BORLANGE"}, "administration"),
        ({"municipality": "abc"}, "municipality"),
        ({"municipality": "999999"}, "municipality"),
    ],
)
def test_bad_input_returns_the_form_with_errors(client, world, personas, overrides, error_field):
    swap = {"BORLANGE": world.borlange_care.pk}
    overrides = {k: swap.get(v, v) for k, v in overrides.items()}
    client.force_login(personas.programme_admin)
    response = client.post(
        reverse("enrolment:participant_create"),
        _form_data(**{"municipality": world.falun.pk, **overrides}),
    )
    assert response.status_code == 422
    assert error_field in response.context["form"].errors
    assert Participant.objects.count() == 1


def test_hr_of_falun_cannot_place_a_manager_in_a_borlange_administration(client, world, personas):
    client.force_login(personas.hr_falun)
    response = client.post(
        reverse("enrolment:participant_create"),
        _form_data(administration=world.borlange_social.pk),
    )
    assert response.status_code == 422
    assert "administration" in response.context["form"].errors
    assert not Participant.objects.filter(email="greta.lind@falun.se").exists()


def test_hr_edits_a_manager(client, world, personas):
    participant = personas.manager_participant
    client.force_login(personas.hr_borlange)
    url = reverse("enrolment:participant_update", args=[participant.pk])
    assert client.get(url).context["form"].initial["last_name"] == "Ståhl"
    response = client.post(
        url,
        _form_data(
            first_name="Märta",
            last_name="Ståhl",
            email="marta.stahl@borlange.se",
            employee_number="",
            administration=world.borlange_care.pk,
            appointed_on="2022-08-15",
        ),
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert (participant.administration, participant.appointed_on) == (
        world.borlange_care,
        date(2022, 8, 15),
    )


def test_editing_cannot_put_the_appointment_after_the_leaving(client, world, personas):
    participant = personas.manager_participant
    participant.left_on = date(2024, 1, 31)
    participant.save()
    client.force_login(personas.hr_borlange)
    response = client.post(
        reverse("enrolment:participant_update", args=[participant.pk]),
        _form_data(email="marta.stahl@borlange.se", appointed_on="2024-06-01"),
    )
    assert response.status_code == 422
    assert "appointed_on" in response.context["form"].errors


def test_recording_that_a_manager_left(client, personas):
    participant = personas.manager_participant
    client.force_login(personas.hr_borlange)
    response = client.post(
        reverse("enrolment:participant_leave", args=[participant.pk]), {"left_on": "2025-06-30"}
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.left_on == date(2025, 6, 30)


@pytest.mark.parametrize(
    "value",
    ["2023-02-28", "32/13/2025", "", "igår", "2099-01-01"],
    ids=["before_appointment", "impossible_date", "missing", "letters", "far_future"],
)
def test_a_bad_leaving_date_returns_the_form_with_an_error(client, personas, value):
    participant = personas.manager_participant
    assert participant.appointed_on == date(2023, 3, 1)
    client.force_login(personas.hr_borlange)
    response = client.post(
        reverse("enrolment:participant_leave", args=[participant.pk]), {"left_on": value}
    )
    assert response.status_code == 422
    assert "left_on" in response.context["form"].errors
    participant.refresh_from_db()
    assert participant.left_on is None


def test_the_nomination_form_offers_only_open_offerings_in_slots_not_yet_taken(
    client, world, personas, offering
):
    participant = personas.manager_participant
    f.pass_course(participant, world.courses["collab"], "HT2023")
    steering = f.OfferingFactory(course=world.courses["steering"], term="VT2027")
    f.OfferingFactory(course=world.courses["law"], term="VT2027", state=OfferingState.PLANNED)
    client.force_login(personas.hr_borlange)
    response = client.get(reverse("enrolment:participant_detail", args=[participant.pk]))
    offered = response.context["nomination_form"].fields["offering"].queryset
    assert list(offered) == [steering]


def test_hr_of_one_administration_must_choose_it_when_adding_a_manager(client, world):
    hr = f.UserFactory()
    f.RoleAssignmentFactory(user=hr, role="hr_admin", administration=world.borlange_social)
    client.force_login(hr)
    url = reverse("enrolment:participant_create")
    form = client.get(url).context["form"]
    assert list(form.fields["administration"].queryset) == [world.borlange_social]
    response = client.post(url, _form_data())
    assert response.status_code == 422
    assert "administration" in response.context["form"].errors
    response = client.post(url, _form_data(administration=world.borlange_social.pk))
    assert response.status_code == 302
    assert Participant.objects.get().municipality == world.borlange


def test_a_manager_who_left_gets_no_nomination_form(client, personas, offering):
    participant = personas.manager_participant
    participant.left_on = date(2025, 1, 1)
    participant.save()
    client.force_login(personas.hr_borlange)
    response = client.get(reverse("enrolment:participant_detail", args=[participant.pk]))
    assert response.context["nomination_form"] is None
    assert response.context["next_offerings"] == []


# --- compliance, the plan and the programme's warnings on the managers pages -------------


def test_the_managers_page_shows_the_compliance_status_and_deadline(client, world, personas):
    f.MandateFactory(municipality=world.borlange)
    late = f.ParticipantFactory(
        municipality=world.borlange,
        administration=world.borlange_social,
        appointed_on=date(2024, 7, 1),
    )
    client.force_login(personas.hr_borlange)
    response = client.get(reverse("enrolment:participant_detail", args=[late.pk]))
    compliance = response.context["compliance"]
    assert compliance.status == "overdue"
    assert compliance.deadline == date(2026, 7, 1)
    assert b'data-compliance="overdue"' in response.content
    assert b"2026-07-01" in response.content


def test_a_manager_outside_any_mandate_is_said_to_be_so(client, personas):
    client.force_login(personas.head_borlange)
    response = client.get(
        reverse("enrolment:participant_detail", args=[personas.manager_participant.pk])
    )
    assert response.context["compliance"] is None
    assert b'data-compliance="none"' in response.content


def test_no_nomination_form_when_nothing_is_open_and_the_page_says_so(client, personas):
    client.force_login(personas.hr_borlange)
    response = client.get(
        reverse("enrolment:participant_detail", args=[personas.manager_participant.pk])
    )
    assert response.context["nomination_form"] is None
    assert response.context["nothing_open"] is True
    assert (
        reverse("enrolment:participant_nominate", args=[personas.manager_participant.pk]).encode()
        not in response.content
    )


def test_the_nomination_form_comes_with_the_managers_plan(client, world, personas, offering):
    participant = personas.manager_participant
    f.pass_course(participant, world.courses["collab"], "HT2024")
    client.force_login(personas.hr_borlange)
    f.OfferingFactory(course=world.courses["steering"], term="VT2027")
    response = client.get(reverse("enrolment:participant_detail", args=[participant.pk]))
    plan = response.context["plan"]
    assert [(e.slot.position, e.term) for e in plan] == [(1, "HT2024"), (2, ""), (3, ""), (4, "")]
    assert b'id="plan"' in response.content
    assert b'data-plan-state="passed"' in response.content


def test_a_warned_nomination_is_shown_and_saved_only_when_confirmed(client, world, personas):
    participant = personas.manager_participant
    law = f.OfferingFactory(course=world.courses["law"], term="VT2027")
    url = reverse("enrolment:participant_nominate", args=[participant.pk])
    client.force_login(personas.hr_borlange)
    response = client.post(url, {"offering": law.pk})
    assert response.status_code == 200
    assert [w.code for w in response.context["nomination_warnings"]] == ["order"]
    assert b'id="confirm-nomination"' in response.content
    assert not Enrolment.objects.filter(participant=participant).exists()

    response = client.post(url, {"offering": law.pk, "confirmed": ["order"]})
    assert response.status_code == 302
    assert Enrolment.objects.get(participant=participant).offering == law


def test_a_made_up_confirmation_code_is_404(client, world, personas):
    law = f.OfferingFactory(course=world.courses["law"], term="VT2027")
    client.force_login(personas.hr_borlange)
    response = client.post(
        reverse("enrolment:participant_nominate", args=[personas.manager_participant.pk]),
        {"offering": law.pk, "confirmed": ["anything"]},
    )
    assert response.status_code == 404
    assert not Enrolment.objects.exists()


def test_bulk_nomination_asks_to_confirm_the_warned_and_returns_where_it_came_from(
    client, world, personas, others, offering
):
    fine = personas.manager_participant
    warned = others["borlange_care"]
    enrolment_nominate(
        participant=warned,
        offering=f.OfferingFactory(course=world.courses["steering"], term="VT2027"),
        actor=personas.hr_borlange,
        confirmed=WARNING_CODES,
    )
    back = reverse("enrolment:compliance_municipality", args=[world.borlange.code])
    client.force_login(personas.hr_borlange)
    url = reverse("enrolment:participant_bulk_nominate")
    response = client.post(
        url, {"offering": offering.pk, "participants": [fine.pk, warned.pk], "next": back}
    )
    assert response.status_code == 200
    assert [p for p, _w in response.context["warned"]] == [warned]
    assert response.context["codes"] == ["same_term"]
    assert Enrolment.objects.filter(offering=offering).get().participant == fine

    response = client.post(
        url,
        {
            "offering": offering.pk,
            "participants": [warned.pk],
            "confirmed": ["same_term"],
            "next": back,
        },
    )
    assert response.status_code == 302
    assert response.url == back
    assert Enrolment.objects.filter(offering=offering).count() == 2


def test_bulk_nomination_never_returns_to_another_site(client, personas, offering):
    client.force_login(personas.hr_borlange)
    response = client.post(
        reverse("enrolment:participant_bulk_nominate"),
        {
            "offering": offering.pk,
            "participants": [personas.manager_participant.pk],
            "next": "https://example.com/",
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("enrolment:participant_list")


def test_the_bulk_nomination_sits_above_the_list(client, personas, offering):
    client.force_login(personas.hr_borlange)
    content = client.get(reverse("enrolment:participant_list")).content.decode()
    form = content.index('id="bulk-nominate"')
    assert form < content.index("<table")
    assert 'form="bulk-nominate"' in content[content.index("<table") :]


def test_the_head_of_administrations_list_renders_no_bulk_form(client, personas, offering):
    client.force_login(personas.head_borlange)
    response = client.get(reverse("enrolment:participant_list"))
    assert response.context["bulk_form"] is None
    assert reverse("enrolment:participant_bulk_nominate").encode() not in response.content
    assert b'type="checkbox"' not in response.content


def test_the_list_says_when_nothing_is_open_instead_of_an_empty_form(client, personas):
    client.force_login(personas.hr_borlange)
    response = client.get(reverse("enrolment:participant_list"))
    assert response.context["bulk_form"] is None
    assert response.context["nothing_open"] is True
    assert reverse("enrolment:participant_bulk_nominate").encode() not in response.content


def test_answering_a_request_with_warnings_asks_for_the_confirmation(client, world, personas):
    from enrolment.models import NominationRequest

    law = f.OfferingFactory(course=world.courses["law"], term="VT2027")
    asked = NominationRequest.objects.create(participant=personas.manager_participant, offering=law)
    url = reverse("enrolment:request_answer", args=[asked.pk, "nominate"])
    client.force_login(personas.hr_borlange)
    response = client.post(url)
    assert response.status_code == 200
    assert [w.code for w in response.context["warned"][asked.pk]] == ["order"]
    assert f'data-warned="{asked.pk}"'.encode() in response.content
    assert not Enrolment.objects.exists()
    assert client.post(url, {"confirmed": ["nonsense"]}).status_code == 404
    response = client.post(url, {"confirmed": ["order"]})
    assert response.status_code == 302
    assert Enrolment.objects.get().offering == law


def _long_record(world, personas, size):
    """`size` courses passed (each with `size` state changes; a third is a second pass
    in the first slot), one course under way, `size` deadline decisions and `size`
    changes of administration, under a mandate that names administrations, with an
    offering open for a course still to take."""
    participant = personas.manager_participant
    mandate = f.MandateFactory(municipality=world.borlange)
    mandate.administrations.add(world.borlange_social, world.borlange_care)
    participant.administration = world.borlange_social
    participant.save()
    courses = ["new", "steering", "collab"][:size]
    for index, course in enumerate(courses):
        passed = f.pass_course(participant, world.courses[course], f"HT202{3 + index}")
        for step in range(size):
            EnrolmentEvent.objects.create(
                enrolment=passed,
                from_state=S.ADMITTED if step else "",
                to_state=S.PASSED if step else S.ADMITTED,
                actor=personas.hr_borlange,
                at=_noon(passed.offering.end_date),
            )
    f.EnrolmentFactory(
        participant=participant,
        offering=f.OfferingFactory(course=world.courses["systems"], term="HT2026"),
        state=S.REGISTERED,
    )
    f.OfferingFactory(course=world.courses["law"], term="VT2027", state=OfferingState.OPEN)
    for step in range(size):
        f.ExtensionFactory(
            participant=participant,
            decided_by=personas.hr_borlange,
            decided_on=date(2026, 1, 1 + step),
            new_complete_by=date(2029, 1, 1 + step),
        )
        participant_update(
            user=personas.hr_borlange,
            participant=participant,
            municipality=world.borlange,
            administration=[world.borlange_care, world.borlange_social][step % 2],
            first_name=participant.first_name,
            last_name=participant.last_name,
            email=participant.email,
            position=participant.position,
            operational_area=participant.operational_area,
            appointed_on=participant.appointed_on,
        )
    return participant


def _noon(day):
    return timezone.make_aware(datetime.combine(day, time(12)))


@pytest.mark.parametrize("size", [1, 3])
def test_manager_page_runs_in_a_fixed_number_of_queries(
    client, world, personas, django_assert_max_num_queries, size
):
    """The manager's page costs the same however long the manager's record: courses with
    their history, deadline decisions and changes to the details; progress, the plan,
    compliance and the deadlines are made from the same rows."""
    participant = _long_record(world, personas, size)
    client.force_login(personas.hr_borlange)
    with django_assert_max_num_queries(19):
        response = client.get(reverse("enrolment:participant_detail", args=[participant.pk]))
    assert response.status_code == 200
    context = response.context
    assert len(context["enrolments"]) == size + 1
    assert sum(len(e.events.all()) for e in context["enrolments"]) == size * size
    assert context["progress"].slots_filled == min(size, 2)
    assert context["compliance"] is not None
    assert context["compliance"].complete_by == date(2029, 1, size)
    assert context["deadlines"].complete_by == date(2029, 1, size)
    assert len(context["deadline_decisions"]) == size
    assert len(context["audit_trail"]) == size + 2
    assert [entry.state for entry in context["plan"]].count("passed") == min(size, 2)
    assert context["nomination_form"] is not None


def test_may_edit_answers_as_the_editable_managers_do(personas, others, gavleborg_personas):
    """The manager's page asks `may_edit` of the manager it has read; it says what
    `participants_editable_by` says, for every persona and manager, in two regions."""
    from enrolment.selectors import may_edit, participants_editable_by

    managers = list(Participant.objects.select_related("municipality"))
    assert len({m.municipality.region_id for m in managers}) == 2
    for user in [*personas.all().values(), *gavleborg_personas.all().values()]:
        editable = set(participants_editable_by(user).values_list("pk", flat=True))
        assert {m.pk for m in managers if may_edit(user, m)} == editable
    assert any(may_edit(personas.hr_borlange, m) for m in managers)
    assert any(may_edit(gavleborg_personas.hr_gavle, m) for m in managers)


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("enrolment:participant_list", {"status": "bogus", "administration": "999999"}),
        ("enrolment:compliance_municipality", {"administration": "999999"}),
    ],
    ids=["managers-list", "compliance"],
)
def test_a_filter_value_that_is_not_offered_is_shown_at_its_field_in_swedish(
    client, world, personas, url, query
):
    f.MandateFactory(municipality=world.borlange)
    client.force_login(personas.hr_borlange)
    args = [world.borlange.code] if url == "enrolment:compliance_municipality" else []
    response = client.get(reverse(url, args=args), query)
    assert response.status_code == 200
    html = response.content.decode()
    for name in query:
        widget = re.search(rf'<select name="{name}"[^>]*>', html).group(0)
        assert "is-invalid" in widget and 'aria-invalid="true"' in widget
        assert f'<div id="id_{name}_error" class="invalid-feedback d-block">' in html
    assert "Välj ett giltigt alternativ" in html
