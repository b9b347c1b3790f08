"""The URLs of issue 17 against every persona of both regions and the national
administrator: who sees each, and 404 for everyone else."""

import pytest
from django.urls import reverse

from programmes.models import CourseEquivalence

DALARNA = {
    "programme_admin",
    "hr_falun",
    "hr_borlange",
    "head_borlange",
    "head_borlange_social",
    "council",
    "manager",
    "no_role",
}
GAVLEBORG = {"g_programme_admin", "g_hr_gavle", "g_head_gavle", "g_council", "g_manager"}
EVERYONE = DALARNA | GAVLEBORG | {"national_admin"}


@pytest.fixture
def people(personas, gavleborg_personas, national_admin):
    found = dict(personas.all())
    found.update({f"g_{name}": user for name, user in gavleborg_personas.all().items()})
    found["national_admin"] = national_admin
    return found


@pytest.fixture
def equivalence(world, gavleborg):
    return CourseEquivalence.objects.create(
        programme=gavleborg.programme, course=world.courses["new"], slot=gavleborg.slots[0]
    )


def _urls(world, gavleborg, equivalence):
    return {
        "programme_list": (
            reverse("programmes:programme_list"),
            {"programme_admin", "g_programme_admin", "national_admin"},
        ),
        "dalarna_programme": (
            reverse("programmes:programme_detail", args=[world.programme.pk]),
            {"programme_admin", "national_admin"},
        ),
        "gavleborg_programme": (
            reverse("programmes:programme_detail", args=[gavleborg.programme.pk]),
            {"g_programme_admin", "national_admin"},
        ),
        "national": (reverse("portal:national"), {"national_admin"}),
        # Any HR administrator takes over into their own municipalities (tests/enrolment/
        # test_take_over.py: into which, and what the page shows).
        "take_over": (
            reverse("enrolment:participant_take_over"),
            {"hr_falun", "hr_borlange", "g_hr_gavle"},
        ),
    }


@pytest.mark.parametrize(
    "name", ["programme_list", "dalarna_programme", "gavleborg_programme", "national", "take_over"]
)
@pytest.mark.parametrize("persona", sorted(EVERYONE))
def test_each_new_url_answers_each_persona_by_scope(
    client, world, gavleborg, equivalence, people, name, persona
):
    url, allowed = _urls(world, gavleborg, equivalence)[name]
    client.force_login(people[persona])
    response = client.get(url)
    expected = 200 if persona in allowed else 404
    assert response.status_code == expected, (name, persona, response.status_code)


@pytest.mark.parametrize("persona", sorted(EVERYONE - {"g_programme_admin"}))
def test_only_the_receiving_programmes_administrators_remove_a_line_of_its_table(
    client, gavleborg, equivalence, people, persona
):
    url = reverse("programmes:equivalence_delete", args=[gavleborg.programme.pk, equivalence.pk])
    client.force_login(people[persona])
    assert client.post(url).status_code == 404
    assert CourseEquivalence.objects.filter(pk=equivalence.pk).exists()


def test_the_receiving_programmes_administrator_keeps_its_table(
    client, world, gavleborg, equivalence, people
):
    client.force_login(people["g_programme_admin"])
    url = reverse("programmes:programme_detail", args=[gavleborg.programme.pk])
    page = client.get(url)
    assert "Ny som ledare" in page.content.decode()
    added = client.post(url, {"course": world.courses["law"].pk, "slot": gavleborg.slots[1].pk})
    assert added.status_code == 302
    assert CourseEquivalence.objects.filter(
        programme=gavleborg.programme, course=world.courses["law"], slot=gavleborg.slots[1]
    ).exists()
    # Its own course is refused with words, and nothing is written.
    refused = client.post(
        url, {"course": gavleborg.courses["work"].pk, "slot": gavleborg.slots[2].pk}
    )
    assert refused.status_code == 400
    assert CourseEquivalence.objects.filter(programme=gavleborg.programme).count() == 2
    removed = client.post(
        reverse("programmes:equivalence_delete", args=[gavleborg.programme.pk, equivalence.pk])
    )
    assert removed.status_code == 302
    assert not CourseEquivalence.objects.filter(pk=equivalence.pk).exists()


def test_the_national_administrator_reads_a_programme_but_keeps_no_regions_table(
    client, world, gavleborg, people
):
    client.force_login(people["national_admin"])
    url = reverse("programmes:programme_detail", args=[gavleborg.programme.pk])
    response = client.post(url, {"course": world.courses["law"].pk, "slot": gavleborg.slots[1].pk})
    assert response.status_code == 404
    assert not CourseEquivalence.objects.filter(programme=gavleborg.programme).exists()
