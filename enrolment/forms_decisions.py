"""The deadline decision form: an extension or a pause for one manager, or a pause for
several. What may be recorded is the service's rule (`services.decisions`); the form
shows its words on the field they concern."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import DeadlineDecisionKind, DeadlineDecisionReason
from .services.decisions import deadline_decision_problems

DATE_FIELDS = ("new_start_by", "new_complete_by", "paused_from", "paused_to")


def _date_field(label):
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class DeadlineDecisionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Decision"), choices=DeadlineDecisionKind.choices, widget=forms.RadioSelect
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=DeadlineDecisionReason.choices)
    decided_on = forms.DateField(
        label=_("Decision date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    new_start_by = _date_field(_("New start deadline (extension)"))
    new_complete_by = _date_field(_("New completion deadline (extension)"))
    paused_from = _date_field(_("Paused from (pause)"))
    paused_to = _date_field(_("Paused until, inclusive (pause)"))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen only by those who may see the manager."),
    )

    def __init__(self, *args, user, participant=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.participant = user, participant
        self.fields["decided_on"].initial = timezone.localdate()
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("submit", _("Record the decision")))

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        problems = deadline_decision_problems(
            user=self.user,
            participant=self.participant,
            kind=cleaned["kind"],
            decided_on=cleaned["decided_on"],
            **{name: cleaned.get(name) for name in DATE_FIELDS},
        )
        for field, message in problems.items():
            self.add_error(field, message)
        return cleaned

    @property
    def decision(self) -> dict:
        return {
            name: self.cleaned_data.get(name)
            for name in ("kind", "reason", "note", "decided_on", *DATE_FIELDS)
        }
