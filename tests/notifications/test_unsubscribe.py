"""One-click unsubscribe without logging in, only for the address and kind it was made
for; forged and altered tokens are refused. Preferences per user and kind."""

from datetime import date

import pytest
from django.core import signing
from django.urls import reverse

from notifications import recipients
from notifications.kinds import Kind
from notifications.models import CalendarFeed, Message, MessageState, OptOut
from notifications.services import (
    Planned,
    feed_of,
    message_deliver,
    message_record,
    unsubscribe_token,
)
from tests import factories as f

pytestmark = pytest.mark.django_db

LISA = "lisa.berg@borlange.se"


def url(token: str) -> str:
    return reverse("notifications:unsubscribe", args=[token])


def reminder(participant, to, kind=Kind.START_REMINDER, deadline=date(2027, 1, 15)):
    message = message_record(
        planned=Planned(kind, to, participant, participant, deadline, 60), dispatch=False
    )
    return message_deliver(message_id=message.pk)


def test_the_link_asks_first_and_one_click_post_turns_off_that_kind_only(client, smtp, town):
    token = unsubscribe_token(LISA, Kind.START_REMINDER)
    page = client.get(url(token))
    assert page.status_code == 200
    assert "Sluta skicka" in page.content.decode()
    assert not OptOut.objects.exists()

    # RFC 8058: the mail client posts without a session or CSRF token.
    response = client.post(
        url(token),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert OptOut.objects.get().kind == Kind.START_REMINDER

    manager = recipients.manager(town.participant)
    assert reminder(town.participant, manager).state == MessageState.SKIPPED
    sent = reminder(town.participant, manager, Kind.COMPLETION_REMINDER, date(2029, 1, 15))
    assert sent.state == MessageState.SENT
    # HR's copy of the same reminder still goes.
    (hr,) = [r for r in recipients.hr_of(town.participant) if r.email == "personal@borlange.se"]
    assert reminder(town.participant, hr).state == MessageState.SENT
    assert [m["To"] for _r, m in smtp.received] == [LISA, "personal@borlange.se"]


@pytest.mark.parametrize(
    "token",
    [
        "forged",
        unsubscribe_token(LISA, Kind.START_REMINDER)[:-2] + "xx",
        unsubscribe_token(LISA, Kind.START_REMINDER).replace("e", "f", 1),
        unsubscribe_token(LISA, Kind.ADMITTED),
    ],
    ids=["forged", "signature altered", "content altered", "mandatory kind"],
)
def test_forged_altered_or_mandatory_tokens_are_refused(client, token):
    for method in (client.get, client.post):
        response = method(url(token))
        assert response.status_code == 400
        assert "Länken är inte giltig." in response.content.decode()
    assert not OptOut.objects.exists()


def test_a_token_made_with_another_salt_is_refused(client):
    token = signing.dumps({"e": LISA, "k": Kind.START_REMINDER}, compress=True)
    assert client.post(url(token)).status_code == 400


def test_preferences_turn_kinds_off_and_mandatory_ones_stay_on(client, town):
    client.force_login(town.manager)
    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 200
    kinds = {k["value"]: k for k in page.context["kinds"]}
    assert kinds[Kind.ADMITTED]["mandatory"] and Kind.HR_DIGEST not in kinds

    chosen = [Kind.NOMINATED, Kind.ADMITTED]
    response = client.post(reverse("notifications:preferences"), {"kinds": chosen})
    assert response.status_code == 302
    off = set(OptOut.objects.values_list("kind", flat=True))
    assert Kind.START_REMINDER in off and Kind.NOMINATED not in off
    assert Kind.ADMITTED not in off and Kind.OVERDUE not in off

    client.post(reverse("notifications:preferences"), {"kinds": [Kind.START_REMINDER]})
    off = set(OptOut.objects.values_list("kind", flat=True))
    assert Kind.START_REMINDER not in off and Kind.NOMINATED in off


def test_a_mandatory_message_is_sent_even_if_turned_off_by_hand(smtp, town):
    OptOut.objects.create(email=LISA, kind=Kind.OVERDUE)
    manager = recipients.manager(town.participant)
    assert reminder(town.participant, manager, Kind.OVERDUE).state == MessageState.SENT


def test_messages_feed_and_choices_are_removed_with_the_manager(town, world):
    """Thinning deletes a manager's record; what notifications keep about them goes too."""
    other = f.ParticipantFactory(municipality=world.borlange, email="kvar@borlange.se")
    gone = f.ParticipantFactory(municipality=world.borlange, email="gallrad@borlange.se")
    for email in ("kvar@borlange.se", "gallrad@borlange.se", LISA):
        OptOut.objects.create(email=email, kind=Kind.NOMINATED)
    for participant in (gone, other):
        message_record(
            planned=Planned(
                Kind.START_REMINDER, recipients.manager(participant), participant, participant
            ),
            dispatch=False,
        )
        feed_of(participant)
    gone.delete()
    assert list(Message.objects.values_list("participant", flat=True)) == [other.pk]
    assert list(CalendarFeed.objects.values_list("participant", flat=True)) == [other.pk]
    assert set(OptOut.objects.values_list("email", flat=True)) == {"kvar@borlange.se", LISA}
    # A manager whose address is also their log-in keeps the account's choices.
    town.participant.delete()
    assert set(OptOut.objects.values_list("email", flat=True)) == {"kvar@borlange.se", LISA}
