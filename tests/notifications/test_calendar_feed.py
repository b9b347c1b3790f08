"""A manager's private calendar feed: read by a calendar client's parser, dates from the
enrolments and from compliance's deadlines, and a reset that stops the old URL."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from enrolment.compliance import municipality_compliance
from enrolment.models import EnrolmentState
from notifications.services import feed_of
from tests import factories as f

pytestmark = pytest.mark.django_db


def events(response) -> dict[str, tuple]:
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["PRODID"]).startswith("-//Ledarskapsportalen")
    return {
        str(e["SUMMARY"]): (e.decoded("DTSTART"), e.decoded("DTEND"))
        for e in calendar.walk("VEVENT")
    }


def test_the_feed_opens_without_logging_in_and_holds_courses_and_deadlines(client, town, world):
    offering = f.OfferingFactory(course=world.courses["new"], term="VT2027")
    f.EnrolmentFactory(
        participant=town.participant, offering=offering, state=EnrolmentState.ADMITTED
    )
    feed = feed_of(town.participant)

    found = events(client.get(reverse("notifications:feed", args=[feed.token])))

    (row,) = municipality_compliance(municipality=world.borlange, on=timezone.localdate()).rows
    assert found["Ny som ledare (VT2027)"] == (date(2027, 1, 19), date(2027, 6, 8))
    assert found["Börja utbildningen senast i dag"][0] == row.start_by == date(2027, 1, 15)
    assert found["Slutför utbildningen senast i dag"][0] == row.complete_by == date(2029, 1, 15)


def test_reset_gives_a_new_url_and_the_old_one_stops(client, town):
    old = feed_of(town.participant).token
    client.force_login(town.manager)
    page = client.get(reverse("notifications:preferences"))
    assert reverse("notifications:feed", args=[old]) in page.content.decode()

    response = client.post(reverse("notifications:feed_reset"))
    assert response.status_code == 302
    new = feed_of(town.participant).token
    assert new != old
    client.logout()
    assert client.get(reverse("notifications:feed", args=[old])).status_code == 404
    assert client.get(reverse("notifications:feed", args=[new])).status_code == 200


def test_an_unknown_token_is_404(client, town):
    feed_of(town.participant)
    assert client.get(reverse("notifications:feed", args=["gissning"])).status_code == 404
