"""The deadline decision forms: an extension or a pause for one manager, or a pause for
every manager in post in an administration. What may be recorded is the service's rule
(`services.decisions`); the forms show its words on the field they concern."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import DeadlineDecisionKind, DeadlineDecisionReason
from .services.decisions import deadline_decision_problems

DATE_FIELDS = ("new_start_by", "new_complete_by", "paused_from", "paused_to")


def _date_field(label, required=False):
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class _DecisionForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=DeadlineDecisionReason.choices)
    decided_on = _date_field(_("Decision date"), required=True)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen only by those who may see the manager."),
    )
    submit_label = _("Record the decision")

    def __init__(self, *args, user, participant=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.participant = user, participant
        self.fields["decided_on"].initial = timezone.localdate()
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("submit", self.submit_label))

    def decision_kind(self) -> str:
        return self.cleaned_data["kind"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        problems = deadline_decision_problems(
            user=self.user,
            participant=self.participant,
            kind=self.decision_kind(),
            decided_on=cleaned["decided_on"],
            **{name: cleaned.get(name) for name in DATE_FIELDS},
        )
        for field, message in problems.items():
            self.add_error(field, message)
        return cleaned


class DeadlineDecisionForm(_DecisionForm):
    kind = forms.ChoiceField(
        label=_("Decision"), choices=DeadlineDecisionKind.choices, widget=forms.RadioSelect
    )
    new_start_by = _date_field(_("New start deadline (extension)"))
    new_complete_by = _date_field(_("New completion deadline (extension)"))
    paused_from = _date_field(_("Paused from (pause)"))
    paused_to = _date_field(_("Paused until, inclusive (pause)"))
    field_order = ("kind", "reason", "decided_on", *DATE_FIELDS, "note")

    @property
    def decision(self) -> dict:
        names = ("kind", "reason", "note", "decided_on", *DATE_FIELDS)
        return {name: self.cleaned_data.get(name) for name in names}


class AdministrationPauseForm(_DecisionForm):
    """One pause for every manager in post in an administration (a reorganisation)."""

    administration = forms.ModelChoiceField(
        label=_("Administration"), queryset=None, empty_label=_("Choose an administration")
    )
    paused_from = _date_field(_("Paused from"))
    paused_to = _date_field(_("Paused until, inclusive"))
    field_order = ("administration", "reason", "decided_on", "paused_from", "paused_to", "note")
    submit_label = _("Pause the deadlines")

    def __init__(self, *args, administrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["administration"].queryset = administrations

    def decision_kind(self) -> str:
        return DeadlineDecisionKind.PAUSE
