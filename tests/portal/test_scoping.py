"""Every URL against every persona: who sees it, and who gets 404.

A new URL is added to ACCESS below with the personas that may see it; every other
persona is then checked to get 404 (never 403, which would confirm that it exists).
"""

import pytest
from django.urls import reverse

from enrolment.selectors import participants_visible_to
from portal.accounts.models import Role
from portal.accounts.scope import reach
from tests import factories as f

ALL = {
    "programme_admin",
    "hr_falun",
    "hr_borlange",
    "head_borlange",
    "head_borlange_social",
    "council",
    "manager",
    "no_role",
}


@pytest.fixture
def others(world):
    """Managers elsewhere: one in Borlänge's other administration, one in Falun."""
    return {
        "borlange_care": f.ParticipantFactory(
            municipality=world.borlange, administration=world.borlange_care
        ),
        "falun": f.ParticipantFactory(municipality=world.falun, administration=world.falun_social),
    }


def _urls(personas, others):
    own = personas.manager_participant.pk
    return {
        "home": (reverse("portal:home"), ALL),
        "programme_admin": (reverse("portal:programme_admin"), {"programme_admin"}),
        "hr_admin": (reverse("portal:hr_admin"), {"hr_falun", "hr_borlange"}),
        "head": (
            reverse("portal:head_of_administration"),
            {"head_borlange", "head_borlange_social"},
        ),
        "council": (reverse("portal:council"), {"council"}),
        "my_programme": (reverse("enrolment:my_programme"), {"manager"}),
        "own_participant": (
            reverse("enrolment:participant_detail", args=[own]),
            {"programme_admin", "hr_borlange", "head_borlange", "head_borlange_social", "manager"},
        ),
        "borlange_care_participant": (
            reverse("enrolment:participant_detail", args=[others["borlange_care"].pk]),
            {"programme_admin", "hr_borlange", "head_borlange"},
        ),
        "falun_participant": (
            reverse("enrolment:participant_detail", args=[others["falun"].pk]),
            {"programme_admin", "hr_falun"},
        ),
        "unknown_participant": (
            reverse("enrolment:participant_detail", args=[999999]),
            set(),
        ),
    }


URL_NAMES = [
    "home",
    "programme_admin",
    "hr_admin",
    "head",
    "council",
    "my_programme",
    "own_participant",
    "borlange_care_participant",
    "falun_participant",
    "unknown_participant",
]


@pytest.mark.parametrize("name", URL_NAMES)
@pytest.mark.parametrize("persona", sorted(ALL))
def test_each_url_answers_each_persona_by_scope(client, personas, others, name, persona):
    url, allowed = _urls(personas, others)[name]
    client.force_login(personas.all()[persona])
    response = client.get(url)
    if persona in allowed:
        assert response.status_code in (200, 302), (name, persona, response.status_code)
    else:
        assert response.status_code == 404, (name, persona, response.status_code)


@pytest.mark.parametrize("name", URL_NAMES)
def test_anonymous_users_are_sent_to_log_in(client, personas, others, name):
    url, _ = _urls(personas, others)[name]
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_hr_of_falun_gets_404_for_borlange_participant(client, personas):
    client.force_login(personas.hr_falun)
    url = reverse("enrolment:participant_detail", args=[personas.manager_participant.pk])
    response = client.get(url)
    assert response.status_code == 404
    assert "Ståhl" not in response.content.decode()


def test_manager_sees_only_themself(client, personas, others):
    assert list(participants_visible_to(personas.manager)) == [personas.manager_participant]
    client.force_login(personas.manager)
    response = client.get(reverse("enrolment:participant_detail", args=[others["falun"].pk]))
    assert response.status_code == 404


def test_council_sees_no_participant_at_all(personas, others):
    assert not participants_visible_to(personas.council).exists()


def test_head_of_an_administration_reaches_only_that_administration(personas, others):
    visible = set(participants_visible_to(personas.head_borlange_social))
    assert personas.manager_participant in visible
    assert others["borlange_care"] not in visible


def test_user_with_two_roles_reaches_the_union(world, personas, others):
    f.RoleAssignmentFactory(user=personas.manager, role=Role.HR_ADMIN, municipality=world.falun)
    visible = set(participants_visible_to(personas.manager))
    assert visible == {personas.manager_participant, others["falun"]}
    assert reach(personas.manager).municipality_ids == {world.falun.pk}


def test_django_admin_is_for_staff_only(client, personas):
    client.force_login(personas.hr_borlange)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_council_dashboard_hides_groups_under_five(client, world, personas):
    f.ParticipantFactory.create_batch(3, municipality=world.falun)
    f.ParticipantFactory.create_batch(6, municipality=world.borlange)
    client.force_login(personas.council)
    html = client.get(reverse("portal:council")).content.decode()
    falun_row = html[html.index("Falun") : html.index("</tr>", html.index("Falun"))]
    borlange_row = html[html.index("Borlänge") : html.index("</tr>", html.index("Borlänge"))]
    assert "&lt;5" in falun_row
    assert ">3<" not in falun_row
    # Borlänge has seven (six created here and the persona's own participant), but the
    # region's ten less seven would give Falun's three: Borlänge is withheld too.
    assert ">7<" not in borlange_row
    assert ">x<" in borlange_row
    assert "Ståhl" not in html
