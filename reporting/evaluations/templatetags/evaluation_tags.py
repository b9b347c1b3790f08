from django import template
from django.utils import timezone

from ..selectors import open_rounds_for_participant

register = template.Library()


@register.inclusion_tag("evaluations/_open_for_participant.html")
def open_evaluations(participant):
    """The evaluations open to a participant today, for their own page."""
    rounds = []
    if participant is not None:
        rounds = list(
            open_rounds_for_participant(participant, timezone.localdate()).order_by(
                "closes_on", "pk"
            )
        )
    return {"evaluation_rounds": rounds}
