"""Template filters that show where a manager stands today, in the words of
`enrolment.standing` (the templates never work them out from states)."""

from django import template
from django.utils import timezone

from ..standing import enrolment_label, slot_label

register = template.Library()


@register.filter
def standing(enrolment) -> str:
    """`{{ enrolment|standing }}`: the enrolment in the programme's words, today."""
    return enrolment_label(enrolment, on=timezone.localdate())


@register.filter
def slot_standing(slot_progress) -> str:
    """`{{ sp|slot_standing }}`: a slot of the programme, today."""
    return slot_label(slot_progress, on=timezone.localdate())
