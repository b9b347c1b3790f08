from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Course, ProgrammeSlot


class EquivalenceForm(forms.Form):
    """A line of the equivalence table: a course of another programme and the slot of
    this programme it fills."""

    course = forms.ModelChoiceField(
        label=_("Course passed under another programme"),
        queryset=Course.objects.none(),
        empty_label=_("Choose a course"),
    )
    slot = forms.ModelChoiceField(
        label=_("Slot it fills"),
        queryset=ProgrammeSlot.objects.none(),
        empty_label=_("Choose a course slot"),
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = (
            Course.objects.exclude(slot__programme=programme)
            .select_related("slot__programme")
            .order_by("slot__programme__title", "slot__position", "title")
        )
        self.fields["course"].label_from_instance = lambda c: f"{c.title} ({c.slot.programme})"
        self.fields["slot"].queryset = programme.slots.order_by("position")
