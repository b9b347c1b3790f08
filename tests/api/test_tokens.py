"""Keys: issued within the issuer's reach, shown once, kept as a hash, revocable, with
the time they were last used."""

import hashlib

import pytest
from django.urls import reverse

from api.models import ApiToken
from api.services import token_create
from portal.accounts.models import Role

from .conftest import ApiClient


def _assignment(user, role):
    return user.role_assignments.get(role=role)


def test_a_key_is_stored_only_as_its_hash_and_shown_once(personas):
    token, key = token_create(
        user=personas.hr_borlange,
        assignment=_assignment(personas.hr_borlange, Role.HR_ADMIN),
        name="Heroma",
    )
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {getattr(stored, f.attname) for f in ApiToken._meta.concrete_fields}
    assert stored.key_start == key[:10]


def test_an_hr_administrator_cannot_issue_a_key_for_another_municipality(personas):
    from django.http import Http404

    with pytest.raises(Http404):
        token_create(
            user=personas.hr_falun,
            assignment=_assignment(personas.hr_borlange, Role.HR_ADMIN),
            name="Heroma",
        )
    assert not ApiToken.objects.exists()


def test_the_key_page_shows_a_new_key_once_and_lists_it_without_the_key(client, personas):
    client.force_login(personas.hr_borlange)
    url = reverse("api:token_list")
    form = client.get(url).context["form"]
    offered = {a.user.email for a in form.fields["assignment"].queryset}
    assert offered == {"hr@borlange.se", "chef.soc@borlange.se", "forvaltning@borlange.se"}
    assignment = _assignment(personas.hr_borlange, Role.HR_ADMIN)
    response = client.post(url, {"name": "Heroma", "assignment": assignment.pk})
    key = response.context["new_key"]
    assert key.startswith("lp_") and key in response.content.decode()
    again = client.get(url).content.decode()
    assert "Heroma" in again and key not in again and key[:10] in again


def test_a_revoked_key_is_refused_and_last_use_is_recorded(client, personas, world):
    token, key = token_create(
        user=personas.hr_borlange,
        assignment=_assignment(personas.hr_borlange, Role.HR_ADMIN),
        name="Heroma",
    )
    api = ApiClient(key)
    assert api.get("/api/v1/managers/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None

    client.force_login(personas.hr_borlange)
    response = client.post(reverse("api:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    refused = api.get("/api/v1/managers/")
    assert refused.status_code == 401
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["status"] == 401


@pytest.mark.parametrize("name", ["hr_falun", "head_borlange", "council", "manager", "no_role"])
def test_only_those_within_reach_may_revoke_a_key(client, personas, name):
    token, _key = token_create(
        user=personas.hr_borlange,
        assignment=_assignment(personas.hr_borlange, Role.HR_ADMIN),
        name="Heroma",
    )
    client.force_login(personas.all()[name])
    response = client.post(reverse("api:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.is_active


@pytest.mark.parametrize("name", ["head_borlange", "council", "manager", "no_role"])
def test_the_key_page_is_404_for_roles_that_issue_no_keys(client, personas, name):
    client.force_login(personas.all()[name])
    assert client.get(reverse("api:token_list")).status_code == 404


def test_the_programme_administrator_issues_keys_for_the_council(client, personas):
    client.force_login(personas.programme_admin)
    form = client.get(reverse("api:token_list")).context["form"]
    roles = {(a.user.email, a.role) for a in form.fields["assignment"].queryset}
    assert ("rad@hvd.se", Role.COUNCIL) in roles
    assert not any(role == Role.MANAGER for _email, role in roles)


@pytest.mark.parametrize(("name", "shown"), [("hr_borlange", True), ("head_borlange", False)])
def test_the_menu_links_to_the_key_page_for_those_who_issue_keys(client, personas, name, shown):
    client.force_login(personas.all()[name])
    page = client.get(reverse("portal:home"), follow=True).content.decode()
    assert (f'href="{reverse("api:token_list")}"' in page) == shown
