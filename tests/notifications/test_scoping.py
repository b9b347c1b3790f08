"""The notification pages against every persona: who sees each, and who gets 404."""

import pytest
from django.urls import reverse

from tests.portal.test_scoping import ALL

RECEIVERS = {"manager", "hr_falun", "hr_borlange", "head_borlange", "head_borlange_social"}

PAGES = {
    "notifications:preferences": ("get", RECEIVERS),
    "notifications:failed_list": ("get", {"programme_admin"}),
    "notifications:feed_reset": ("post", {"manager"}),
}


@pytest.mark.parametrize("name", sorted(PAGES))
@pytest.mark.parametrize("persona", sorted(ALL))
def test_each_notification_page_answers_each_persona_by_scope(client, personas, name, persona):
    method, allowed = PAGES[name]
    client.force_login(personas.all()[persona])
    response = getattr(client, method)(reverse(name))
    if persona in allowed:
        assert response.status_code in (200, 302), (name, persona, response.status_code)
    else:
        assert response.status_code == 404, (name, persona, response.status_code)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_anonymous_visitors_are_sent_to_log_in(client, db, name):
    method, _allowed = PAGES[name]
    response = getattr(client, method)(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_a_manager_without_a_participant_record_gets_404_on_reset(client, personas):
    personas.manager_participant.user = None
    personas.manager_participant.save()
    client.force_login(personas.manager)
    assert client.post(reverse("notifications:feed_reset")).status_code == 404


def test_the_preferences_of_hr_offer_the_digest_and_not_the_heads_summary(client, personas):
    client.force_login(personas.hr_borlange)
    kinds = {k["value"] for k in client.get(reverse("notifications:preferences")).context["kinds"]}
    assert "hr_digest" in kinds and "head_summary" not in kinds
    assert client.get(reverse("notifications:preferences")).context["feed"] is None
