"""The results grid (all rows or none) and credit transfers."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from enrolment.models import CreditTransfer, EnrolmentEvent, EnrolmentState
from enrolment.services.enrolments import enrolment_withdraw
from enrolment.services.results import (
    ResultRow,
    ResultsInvalid,
    credit_transfer_create,
    results_record,
)
from portal.accounts.models import Role
from tests import factories as f

S = EnrolmentState


@pytest.fixture
def offering(world):
    """Ledarskapets juridik, 7.5 hp, started 2025-08-28."""
    return f.OfferingFactory(course=world.courses["law"], term="HT2025", state="running")


@pytest.fixture
def registered(world, offering):
    return [
        f.EnrolmentFactory(
            participant=f.ParticipantFactory(
                municipality=world.falun, first_name="Anna", last_name=f"Andersson{i}"
            ),
            offering=offering,
            state=S.REGISTERED,
        )
        for i in range(3)
    ]


def _url(offering):
    return reverse("enrolment:offering_results", args=[offering.pk])


def _grid(rows, total=None):
    """POST data for the grid: one (enrolment, grade, credits, date) per row."""
    data = {
        "results-TOTAL_FORMS": str(len(rows) if total is None else total),
        "results-INITIAL_FORMS": "0",
        "results-MIN_NUM_FORMS": "0",
        "results-MAX_NUM_FORMS": "1000",
    }
    for i, (enrolment, grade, credits, result_date) in enumerate(rows):
        data[f"results-{i}-enrolment_id"] = str(enrolment.pk)
        data[f"results-{i}-grade"] = grade
        data[f"results-{i}-credits"] = credits
        data[f"results-{i}-result_date"] = result_date
    return data


GOOD_DATE = "2026-01-20"


def _good_rows(registered):
    return [
        (registered[0], "G", "7,5", GOOD_DATE),
        (registered[1], "VG", "7.5", GOOD_DATE),
        (registered[2], "U", "0", GOOD_DATE),
    ]


def test_the_grid_lists_registered_passed_and_failed_enrolments_in_name_order(
    client, world, personas, offering, registered
):
    f.EnrolmentFactory(
        participant=f.ParticipantFactory(municipality=world.falun, last_name="Ödman"),
        offering=offering,
        state=S.ADMITTED,
    )
    client.force_login(personas.programme_admin)
    response = client.get(_url(offering))
    assert response.status_code == 200
    assert [form.enrolment for form in response.context["formset"]] == registered
    html = response.content.decode()
    # Each cell has a label naming whose result it is.
    assert 'for="id_results-0-grade"' in html
    assert registered[0].participant.full_name in html


def test_a_whole_grid_of_good_results_is_saved_with_events(client, personas, offering, registered):
    client.force_login(personas.programme_admin)
    response = client.post(_url(offering), _grid(_good_rows(registered)))
    assert response.status_code == 302
    for enrolment in registered:
        enrolment.refresh_from_db()
    assert [(e.state, e.grade, e.credits, e.result_date) for e in registered] == [
        (S.PASSED, "G", Decimal("7.5"), date(2026, 1, 20)),
        (S.PASSED, "VG", Decimal("7.5"), date(2026, 1, 20)),
        (S.FAILED, "U", Decimal("0"), date(2026, 1, 20)),
    ]
    events = EnrolmentEvent.objects.filter(enrolment__in=registered)
    assert events.count() == 3
    assert {e.actor for e in events} == {personas.programme_admin}


BAD_ROWS = [
    ("G", "9", GOOD_DATE, "credits"),
    ("G", "7,5", "tomorrow", "result_date"),
    ("G", "sju", GOOD_DATE, "credits"),
    ("G", "-1", GOOD_DATE, "credits"),
    ("G", "7,5", "2025-08-01", "result_date"),
    ("X", "7,5", GOOD_DATE, "grade"),
    ("", "7,5", GOOD_DATE, "grade"),
    ("G", "7,5", "", "result_date"),
]


@pytest.mark.parametrize("grade, credits, result_date, field", BAD_ROWS)
def test_one_bad_row_saves_nothing_and_shows_the_error_on_that_row(
    client, personas, offering, registered, grade, credits, result_date, field
):
    if result_date == "tomorrow":
        result_date = (timezone.localdate() + timedelta(days=1)).isoformat()
    rows = _good_rows(registered)
    rows[1] = (registered[1], grade, credits, result_date)
    client.force_login(personas.programme_admin)
    response = client.post(_url(offering), _grid(rows))
    assert response.status_code == 422
    forms = response.context["formset"].forms
    assert field in forms[1].errors
    assert not forms[0].errors and not forms[2].errors
    for enrolment in registered:
        enrolment.refresh_from_db()
        assert enrolment.state == S.REGISTERED
    assert not EnrolmentEvent.objects.exists()
    assert 'aria-invalid="true"' in response.content.decode()


def test_a_pass_without_hp_gets_the_course_hp_and_a_fail_gets_none(
    client, personas, offering, registered
):
    rows = [
        (registered[0], "G", "", GOOD_DATE),
        (registered[1], "VG", "", GOOD_DATE),
        (registered[2], "U", "", GOOD_DATE),
    ]
    client.force_login(personas.programme_admin)
    assert client.post(_url(offering), _grid(rows)).status_code == 302
    for enrolment in registered:
        enrolment.refresh_from_db()
    assert [(e.state, e.credits) for e in registered] == [
        (S.PASSED, Decimal("7.5")),
        (S.PASSED, Decimal("7.5")),
        (S.FAILED, Decimal("0")),
    ]


def test_hp_given_on_a_pass_is_kept(client, personas, offering, registered):
    rows = [(registered[0], "G", "5", GOOD_DATE)]
    client.force_login(personas.programme_admin)
    assert client.post(_url(offering), _grid(rows, total=1)).status_code == 302
    registered[0].refresh_from_db()
    assert registered[0].credits == Decimal("5")


def test_every_bad_row_shows_its_own_error(client, personas, offering, registered):
    rows = [
        (registered[0], "G", "9", GOOD_DATE),
        (registered[1], "G", "7,5", "2030-01-01"),
        (registered[2], "G", "abc", GOOD_DATE),
    ]
    client.force_login(personas.programme_admin)
    response = client.post(_url(offering), _grid(rows))
    forms = response.context["formset"].forms
    assert [list(form.errors) for form in forms] == [["credits"], ["result_date"], ["credits"]]
    assert not EnrolmentEvent.objects.exists()


def test_rows_left_blank_are_skipped(client, personas, offering, registered):
    rows = [
        (registered[0], "G", "7,5", GOOD_DATE),
        (registered[1], "", "", ""),
        (registered[2], "", "", ""),
    ]
    client.force_login(personas.programme_admin)
    response = client.post(_url(offering), _grid(rows))
    assert response.status_code == 302
    states = []
    for enrolment in registered:
        enrolment.refresh_from_db()
        states.append(enrolment.state)
    assert states == [S.PASSED, S.REGISTERED, S.REGISTERED]
    assert EnrolmentEvent.objects.count() == 1


def test_saving_the_same_grid_again_records_nothing_new(client, personas, offering, registered):
    client.force_login(personas.programme_admin)
    client.post(_url(offering), _grid(_good_rows(registered)))
    response = client.post(_url(offering), _grid(_good_rows(registered)))
    assert response.status_code == 302
    assert EnrolmentEvent.objects.count() == 3


def test_a_result_can_be_corrected(client, personas, offering, registered):
    client.force_login(personas.programme_admin)
    client.post(_url(offering), _grid(_good_rows(registered)))
    rows = _good_rows(registered)
    rows[2] = (registered[2], "G", "7,5", "2026-03-01")
    response = client.post(_url(offering), _grid(rows))
    assert response.status_code == 302
    registered[2].refresh_from_db()
    assert (registered[2].state, registered[2].grade) == (S.PASSED, "G")
    assert EnrolmentEvent.objects.count() == 4


def test_a_row_for_another_enrolment_than_shown_is_refused(
    client, world, personas, offering, registered
):
    stranger = f.EnrolmentFactory(
        participant=f.ParticipantFactory(municipality=world.falun),
        offering=f.OfferingFactory(course=world.courses["systems"], term="HT2025"),
    )
    rows = _good_rows(registered)
    rows[0] = (stranger, "G", "7,5", GOOD_DATE)
    client.force_login(personas.programme_admin)
    response = client.post(_url(offering), _grid(rows))
    assert response.status_code == 422
    assert response.context["formset"].forms[0].non_field_errors()
    stranger.refresh_from_db()
    assert stranger.state == S.REGISTERED
    assert not EnrolmentEvent.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"results-TOTAL_FORMS": "x"},
        "too_many",
    ],
)
def test_a_broken_grid_never_gives_500(client, personas, offering, registered, data):
    if data == "too_many":
        data = _grid(_good_rows(registered), total=500)
    client.force_login(personas.programme_admin)
    response = client.post(_url(offering), data)
    assert response.status_code in (422, 302)
    assert len(response.context["formset"].forms if response.status_code == 422 else []) <= 3


def test_an_offering_without_registered_managers_has_an_empty_grid(client, world, personas):
    offering = f.OfferingFactory(course=world.courses["systems"], term="VT2026")
    client.force_login(personas.programme_admin)
    response = client.get(_url(offering))
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 0


def test_results_are_checked_again_on_the_locked_rows(offering, personas, registered):
    """A manager withdrawn after the grid was shown: nothing of the grid is saved."""
    rows = [
        ResultRow(enrolment=e, grade="G", credits=Decimal("7.5"), result_date=date(2026, 1, 20))
        for e in registered
    ]
    enrolment_withdraw(enrolment=registered[1], actor=personas.programme_admin)
    with pytest.raises(ResultsInvalid) as excinfo:
        results_record(rows=rows, actor=personas.programme_admin)
    assert list(excinfo.value.errors) == [1]
    registered[0].refresh_from_db()
    assert registered[0].state == S.REGISTERED


# Credit transfers


@pytest.fixture
def falun_manager(world):
    return f.ParticipantFactory(municipality=world.falun, first_name="Frida", last_name="Falk")


def _transfer_url(participant):
    return reverse("enrolment:credit_transfer_create", args=[participant.pk])


def _transfer_data(slot=None, **changes):
    data = {
        "slot": getattr(slot, "pk", slot) or "",
        "kind": "credit_transfer",
        "reason": "Motsvarande kurs vid Mittuniversitetet 2019",
        "decided_on": "2026-05-04",
    }
    data.update(changes)
    return data


def test_programme_administrator_records_a_credit_transfer_for_a_slot(
    client, world, personas, falun_manager
):
    client.force_login(personas.programme_admin)
    response = client.post(_transfer_url(falun_manager), _transfer_data(world.slots[2]))
    assert response.status_code == 302
    assert response.url == reverse("enrolment:participant_detail", args=[falun_manager.pk])
    transfer = CreditTransfer.objects.get()
    assert (transfer.participant, transfer.slot, transfer.programme, transfer.approved_by) == (
        falun_manager,
        world.slots[2],
        world.programme,
        personas.programme_admin,
    )


def test_an_empty_slot_means_the_whole_programme(client, world, personas, falun_manager):
    client.force_login(personas.programme_admin)
    response = client.post(_transfer_url(falun_manager), _transfer_data(kind="exemption"))
    assert response.status_code == 302
    transfer = CreditTransfer.objects.get()
    assert transfer.covers_programme
    assert transfer.kind == "exemption"


def test_a_slot_already_passed_cannot_be_credited(client, world, personas, falun_manager):
    f.pass_course(falun_manager, world.courses["collab"], "HT2023")
    client.force_login(personas.programme_admin)
    response = client.post(_transfer_url(falun_manager), _transfer_data(world.slots[0]))
    assert response.status_code == 422
    assert "slot" in response.context["form"].errors
    assert not CreditTransfer.objects.exists()


def test_a_duplicate_credit_transfer_is_refused(client, world, personas, falun_manager):
    f.CreditTransferFactory(participant=falun_manager, slot=world.slots[1])
    client.force_login(personas.programme_admin)
    response = client.post(_transfer_url(falun_manager), _transfer_data(world.slots[1]))
    assert "slot" in response.context["form"].errors
    assert CreditTransfer.objects.count() == 1


def test_a_second_whole_programme_decision_is_refused(client, world, personas, falun_manager):
    f.CreditTransferFactory(participant=falun_manager, programme=world.programme, slot=None)
    client.force_login(personas.programme_admin)
    response = client.post(_transfer_url(falun_manager), _transfer_data())
    assert "slot" in response.context["form"].errors
    assert CreditTransfer.objects.count() == 1


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"decided_on": "2999-01-01"}, "decided_on"),
        ({"decided_on": "igår"}, "decided_on"),
        ({"reason": ""}, "reason"),
        ({"kind": "bribe"}, "kind"),
        ({"slot": "999999"}, "slot"),
        ({"slot": "abc"}, "slot"),
    ],
)
def test_bad_credit_transfer_input_shows_the_form_with_errors(
    client, personas, falun_manager, changes, field
):
    client.force_login(personas.programme_admin)
    response = client.post(_transfer_url(falun_manager), _transfer_data(**changes))
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert not CreditTransfer.objects.exists()


def test_a_slot_of_another_programme_is_not_offered(client, world, personas, falun_manager):
    region = f.RegionFactory(county_code="21", name="Gävleborg")
    foreign_slot = f.SlotFactory(programme=f.ProgrammeFactory(region=region), position=1)
    client.force_login(personas.programme_admin)
    response = client.post(_transfer_url(falun_manager), _transfer_data(foreign_slot))
    assert "slot" in response.context["form"].errors
    with pytest.raises(ValidationError):
        credit_transfer_create(
            participant=falun_manager,
            programme=world.programme,
            slot=foreign_slot,
            kind="credit_transfer",
            reason="x",
            decided_on=date(2026, 1, 1),
            actor=personas.programme_admin,
        )
    assert not CreditTransfer.objects.exists()


@pytest.mark.parametrize(
    "persona", ["hr_falun", "hr_borlange", "head_borlange", "council", "manager", "no_role"]
)
def test_only_programme_administrators_record_credit_transfers(
    client, world, personas, falun_manager, persona
):
    client.force_login(personas.all()[persona])
    response = client.post(_transfer_url(falun_manager), _transfer_data(world.slots[2]))
    assert response.status_code == 404
    assert not CreditTransfer.objects.exists()


def test_programme_administrator_of_another_region_cannot_credit_our_managers(
    client, world, falun_manager
):
    region = f.RegionFactory(county_code="21", name="Gävleborg")
    admin = f.UserFactory(email="admin@gavleborg.se")
    f.RoleAssignmentFactory(user=admin, role=Role.PROGRAMME_ADMIN, region=region)
    client.force_login(admin)
    response = client.post(_transfer_url(falun_manager), _transfer_data(world.slots[2]))
    assert response.status_code == 404


def test_the_service_refuses_a_credit_transfer_for_a_passed_slot(world, personas, falun_manager):
    f.pass_course(falun_manager, world.courses["law"], "HT2024")
    with pytest.raises(ValidationError) as excinfo:
        credit_transfer_create(
            participant=falun_manager,
            programme=world.programme,
            slot=world.slots[2],
            kind="credit_transfer",
            reason="Motsvarande kurs",
            decided_on=date(2026, 1, 1),
            actor=personas.programme_admin,
        )
    assert excinfo.value.error_dict["slot"][0].code == "slot_passed"


def test_the_grid_has_save_at_top_and_bottom_and_tools_for_many_rows(
    client, personas, offering, registered
):
    client.force_login(personas.programme_admin)
    html = client.get(_url(offering)).content.decode()
    assert html.count("data-save=") == 2
    assert 'type="submit" form="results-form" data-save="top"' in html
    assert html.index('data-save="top"') < html.index("<table")
    assert html.index('data-save="bottom"') > html.index("</table>")
    # The tools need the script; without it they stay hidden and the grid works alone.
    assert "data-results-tools hidden" in html
    assert 'src="/static/js/results.js"' in html or "js/results." in html
    assert 'data-course-credits="7,5"' in html
    # One checkbox per row, each named for whose row it is.
    assert html.count("data-select-row") == len(registered)
    assert f'aria-label="Välj {registered[0].participant.full_name}"' in html
    # No inline script: the Content-Security-Policy refuses it.
    assert "<script>" not in html
