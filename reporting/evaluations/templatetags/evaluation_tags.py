from django import template
from django.utils import timezone

from ..selectors import offerings_evaluated_on, open_rounds_for_participant

register = template.Library()


@register.inclusion_tag("evaluations/_open_for_participant.html")
def open_evaluations(participant, enrolments=None):
    """The evaluations open to a participant today, for their own page. With the
    participant's `enrolments` read already, no query is made when none of their
    offerings has a round open."""
    rounds = []
    today = timezone.localdate()
    if participant is not None and (
        enrolments is None
        or not offerings_evaluated_on(today).isdisjoint(e.offering_id for e in enrolments)
    ):
        rounds = list(open_rounds_for_participant(participant, today).order_by("closes_on", "pk"))
    return {"evaluation_rounds": rounds}
