"""Every endpoint against every persona's key: what each sees, and 404 outside it.

The keys act through the same scoping door as the pages (`portal.accounts.scope`), so
the expectations below are those of tests/portal/test_scoping.py.
"""

import pytest

from api.models import ApiToken
from api.services import token_revoke
from tests import factories as f

from .conftest import ApiClient

KEYED = [
    "programme_admin",
    "hr_falun",
    "hr_borlange",
    "head_borlange",
    "head_borlange_social",
    "council",
]


@pytest.fixture
def data(world, personas):
    borlange_care = f.ParticipantFactory(
        municipality=world.borlange, administration=world.borlange_care, email="care@borlange.se"
    )
    falun = f.ParticipantFactory(
        municipality=world.falun, administration=world.falun_social, email="soc@falun.se"
    )
    offering = f.OfferingFactory(course=world.courses["new"])
    return {
        "own": personas.manager_participant,
        "borlange_care": borlange_care,
        "falun": falun,
        "offering": offering,
        "enrolments": {
            "own": f.EnrolmentFactory(participant=personas.manager_participant, offering=offering),
            "borlange_care": f.EnrolmentFactory(participant=borlange_care, offering=offering),
            "falun": f.EnrolmentFactory(participant=falun, offering=offering),
        },
    }


SEES = {
    "programme_admin": {"own", "borlange_care", "falun"},
    "hr_falun": {"falun"},
    "hr_borlange": {"own", "borlange_care"},
    "head_borlange": {"own", "borlange_care"},
    "head_borlange_social": {"own"},
    "council": set(),
}
EDITS = {
    "programme_admin": {"own", "borlange_care", "falun"},
    "hr_falun": {"falun"},
    "hr_borlange": {"own", "borlange_care"},
}


def _ids(response):
    return {item["id"] for item in response.json()["results"]}


@pytest.mark.parametrize("name", KEYED)
def test_the_managers_list_holds_exactly_the_managers_in_reach(api_as, data, name):
    response = api_as(name).get("/api/v1/managers/")
    if name == "council":
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert _ids(response) == {data[who].pk for who in SEES[name]}


@pytest.mark.parametrize("name", KEYED)
@pytest.mark.parametrize("who", ["own", "borlange_care", "falun"])
@pytest.mark.parametrize("suffix", ["", "progress/", "compliance/"])
def test_a_manager_and_their_progress_and_compliance_are_404_outside_reach(
    api_as, data, name, who, suffix
):
    response = api_as(name).get(f"/api/v1/managers/{data[who].pk}/{suffix}")
    expected = 200 if who in SEES[name] else 404
    assert response.status_code == expected, response.content
    if expected == 404:
        assert response["Content-Type"] == "application/problem+json"


def test_falun_hr_asking_for_borlange_managers_gets_404_or_nothing(api_as, data, world):
    api = api_as("hr_falun")
    assert api.get(f"/api/v1/managers/{data['own'].pk}/").status_code == 404
    listed = api.get("/api/v1/managers/", {"municipality": world.borlange.pk})
    # The filter offers only Falun's municipality: Borlänge is not a valid choice.
    assert listed.status_code in (200, 400)
    if listed.status_code == 200:
        assert _ids(listed) <= {data["falun"].pk}


@pytest.mark.parametrize("name", KEYED)
@pytest.mark.parametrize("who", ["own", "borlange_care", "falun"])
def test_changing_a_manager_is_404_outside_what_the_key_may_edit(api_as, data, name, who):
    participant = data[who]
    response = api_as(name).patch(f"/api/v1/managers/{participant.pk}/", {"first_name": "Ändrad"})
    expected = 200 if who in EDITS.get(name, set()) else 404
    assert response.status_code == expected, response.content
    participant.refresh_from_db()
    assert (participant.first_name == "Ändrad") == (expected == 200)


@pytest.mark.parametrize("name", ["head_borlange", "head_borlange_social", "council"])
def test_read_only_keys_cannot_create_or_upsert(api_as, data, world, name):
    api = api_as(name)
    body = {"first_name": "Ny", "last_name": "Chef", "email": "ny@borlange.se"}
    assert api.post("/api/v1/managers/", {**body, "municipality": "2081"}).status_code == 404
    bulk = {"municipality": "2081", "rows": [body]}
    assert api.post("/api/v1/managers/bulk/", bulk).status_code == 404
    assert not data["own"].__class__.objects.filter(email="ny@borlange.se").exists()


def test_falun_hr_cannot_upsert_into_borlange(api_as, data):
    body = {"first_name": "Ny", "last_name": "Chef", "email": "ny@borlange.se"}
    response = api_as("hr_falun").post(
        "/api/v1/managers/bulk/", {"municipality": "2081", "rows": [body]}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("name", KEYED)
def test_enrolments_are_those_of_the_managers_in_reach(api_as, data, name):
    api = api_as(name)
    response = api.get("/api/v1/enrolments/")
    if name == "council":
        assert response.status_code == 404
        return
    expected = {data["enrolments"][who].pk for who in SEES[name]}
    assert _ids(response) == expected
    for who, enrolment in data["enrolments"].items():
        single = api.get(f"/api/v1/enrolments/{enrolment.pk}/")
        assert single.status_code == (200 if who in SEES[name] else 404)


@pytest.mark.parametrize("name", KEYED)
def test_offerings_with_seats_for_people_roles_and_404_for_the_council(api_as, data, name):
    response = api_as(name).get("/api/v1/offerings/")
    if name == "council":
        assert response.status_code == 404
        return
    (offering,) = response.json()["results"]
    assert offering["id"] == data["offering"].pk
    # Seats are counts, not persons: every registered manager takes one, in reach or not.
    assert (offering["seats"], offering["seats_taken"], offering["seats_free"]) == (30, 3, 27)


def test_offerings_of_another_region_are_404(api_as, data):
    other_region = f.RegionFactory(name="Region Gävleborg", short_name="RG", county_code="21")
    programme = f.ProgrammeFactory(region=other_region)
    elsewhere = f.OfferingFactory(course=f.CourseFactory(slot=f.SlotFactory(programme=programme)))
    assert api_as("hr_borlange").get(f"/api/v1/offerings/{elsewhere.pk}/").status_code == 404


@pytest.mark.parametrize("name", KEYED)
def test_aggregates_for_the_council_and_programme_administrators_only(api_as, data, name):
    response = api_as(name).get("/api/v1/aggregates/")
    if name not in ("council", "programme_admin"):
        assert response.status_code == 404
        return
    assert response.status_code == 200
    rows = response.json()["results"]
    assert rows, "the key figures have rows"
    # Three managers in the region: every count of them is hidden as a small group.
    values = {row["value"] for row in rows if row["figure"] == "Utbildade chefer"}
    assert values <= {"<5", "0"}


def test_a_revoked_key_gets_401_everywhere(personas, data, keys):
    api = ApiClient(keys["hr_borlange"])
    assert api.get("/api/v1/managers/").status_code == 200
    token = ApiToken.objects.get(assignment__user=personas.hr_borlange)
    token_revoke(user=personas.hr_borlange, token_id=token.pk)
    for path in (
        "/api/v1/managers/",
        f"/api/v1/managers/{data['own'].pk}/",
        "/api/v1/enrolments/",
        "/api/v1/offerings/",
    ):
        response = api.get(path)
        assert response.status_code == 401
        assert response.json()["title"]


def test_a_key_acts_in_its_own_role_only(world, personas, data):
    """A person who is HR in Falun and head of administration in Borlänge: a key for the
    Falun role reaches Falun only."""
    from api.services import token_create
    from portal.accounts.models import Role

    person = personas.hr_falun
    f.RoleAssignmentFactory(
        user=person, role=Role.HEAD_OF_ADMINISTRATION, municipality=world.borlange
    )
    _token, key = token_create(
        user=person, assignment=person.role_assignments.get(role=Role.HR_ADMIN), name="HR"
    )
    response = ApiClient(key).get("/api/v1/managers/")
    assert _ids(response) == {data["falun"].pk}


def test_no_key_is_401_with_a_bearer_challenge(data):
    response = ApiClient().get("/api/v1/managers/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response["Content-Type"] == "application/problem+json"


def _cell(text: str) -> str:
    try:
        return f"{float(text.replace(',', '.')):g}"
    except ValueError:
        return text.lstrip("'")


def test_aggregates_are_the_key_figure_download_after_the_same_disclosure_control(
    api_as, client, personas, data
):
    """The council's statistics tool gets exactly what the council's download holds."""
    import csv
    import io

    from django.urls import reverse

    client.force_login(personas.council)
    download = client.get(reverse("followup:key_figures_export", args=["csv"]))
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig")), delimiter=";"))[1:]
    api = api_as("council").get("/api/v1/aggregates/", {"page_size": 500}).json()
    assert api["count"] == len(rows)
    assert [[_cell(v) for v in row.values()] for row in api["results"]] == [
        [_cell(v) for v in row] for row in rows
    ]
