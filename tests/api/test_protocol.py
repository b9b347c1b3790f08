"""How the API answers: problem details in Swedish or English, pages, filters, ETags and
a limit per key."""

import pytest
from django.test import override_settings

from tests import factories as f
from tests.budgets import STANDING_REFRESH


@pytest.fixture
def borlange_managers(world, personas):
    return [
        f.ParticipantFactory(
            municipality=world.borlange,
            administration=world.borlange_care,
            last_name=f"Berg{i:02d}",
            email=f"berg{i}@borlange.se",
        )
        for i in range(7)
    ]


def test_errors_are_problem_details_in_swedish_by_default(api_as):
    response = api_as("hr_borlange").get("/api/v1/managers/999999/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response["Content-Language"] == "sv"
    assert response.json() == {
        "type": "about:blank",
        "title": "Inget hittades",
        "status": 404,
        "detail": "Det finns inget här som den här nyckeln får se.",
        "instance": "/api/v1/managers/999999/",
    }


def test_errors_are_in_english_when_asked(api_as):
    response = api_as("hr_borlange", language="en").get("/api/v1/managers/999999/")
    assert response["Content-Language"] == "en"
    body = response.json()
    assert (body["title"], body["detail"]) == (
        "Nothing found",
        "There is nothing here that this key may see.",
    )


def test_invalid_input_lists_each_field_with_its_message(api_as):
    response = api_as("hr_borlange", language="en").post(
        "/api/v1/managers/", {"first_name": "", "email": "not-an-address"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["title"] == "The request is not valid"
    fields = {error["field"] for error in body["errors"]}
    assert {"first_name", "last_name", "email"} <= fields
    assert all(error["message"] for error in body["errors"])


def test_a_body_that_is_not_json_is_a_problem_not_a_crash(api_as):
    api = api_as("hr_borlange")
    response = api.client.post(
        "/api/v1/managers/", "{not json", content_type="application/json", headers=api.headers
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_lists_are_paged_with_links(api_as, borlange_managers):
    api = api_as("hr_borlange")
    first = api.get("/api/v1/managers/", {"page_size": 3}).json()
    assert first["count"] == 8
    assert len(first["results"]) == 3
    assert "page=2" in first["next"]
    last = api.get("/api/v1/managers/", {"page_size": 3, "page": 3}).json()
    assert len(last["results"]) == 2 and last["next"] is None
    beyond = api.get("/api/v1/managers/", {"page_size": 3, "page": 9})
    assert beyond.status_code == 404


def test_the_managers_page_filters_apply(api_as, world, borlange_managers, personas):
    api = api_as("hr_borlange")
    care = api.get("/api/v1/managers/", {"administration": world.borlange_care.pk}).json()
    assert {m["id"] for m in care["results"]} == {p.pk for p in borlange_managers}
    found = api.get("/api/v1/managers/", {"q": "Märta Ståhl"}).json()
    assert [m["email"] for m in found["results"]] == ["marta.stahl@borlange.se"]
    ordered = api.get("/api/v1/managers/", {"ordering": "-name"}).json()["results"]
    assert ordered[0]["last_name"] == "Ståhl"
    bad = api.get("/api/v1/managers/", {"status": "nonsense"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "status"


def test_the_list_costs_the_same_number_of_queries_at_two_sizes(
    api_as, world, django_assert_max_num_queries
):
    api = api_as("hr_borlange")
    for size in (5, 40):
        f.ParticipantFactory.create_batch(size, municipality=world.borlange)
        with django_assert_max_num_queries(8 + STANDING_REFRESH):
            assert api.get("/api/v1/managers/", {"page_size": 100}).status_code == 200


def test_a_read_gives_an_etag_and_304_when_nothing_changed(api_as, personas):
    api = api_as("hr_borlange")
    path = f"/api/v1/managers/{personas.manager_participant.pk}/"
    first = api.get(path)
    etag = first["ETag"]
    assert etag
    assert "Authorization" in first["Vary"]
    again = api.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    api.patch(path, {"position": "other"})
    changed = api.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag


@override_settings(API_RATE_LIMIT="3/minute")
def test_each_key_has_its_own_limit(api_as):
    borlange, falun = api_as("hr_borlange"), api_as("hr_falun", language="en")
    for _ in range(3):
        assert borlange.get("/api/v1/offerings/").status_code == 200
    limited = borlange.get("/api/v1/offerings/")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert limited.json()["status"] == 429
    assert falun.get("/api/v1/offerings/").status_code == 200


def test_an_unknown_path_under_the_api_is_a_problem_too(api_as):
    for path in ("/api/v1/managers/abc/", "/api/v1/nothing/"):
        response = api_as("hr_borlange").get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"


def test_the_schema_and_the_docs_are_public_and_served_without_outside_files(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/managers/bulk/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn" not in page.lower()


def test_control_characters_in_a_request_are_a_problem_too(api_as):
    response = api_as("hr_borlange").get("/api/v1/managers/", {"search": "a\x00b"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["instance"] == "/api/v1/managers/"


def test_the_docs_page_runs_no_inline_script_or_style(client, db):
    page = client.get("/api/docs/").content.decode()
    assert "<style" not in page
    assert "<script>" not in page
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert "/api/schema/" in script.content.decode()
