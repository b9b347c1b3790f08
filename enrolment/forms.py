from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Mandate, OperationalArea, Participant, Position

# What an empty choice means on a manager's record.
NO_ADMINISTRATION = _("No administration")
NO_OPERATIONAL_AREA = _("No operational area given")
NO_POSITION = _("No position given")


class ParticipantForm(forms.ModelForm):
    """A manager's details, as HR keeps them. The municipality is given by the caller
    (the HR administrator's own, or chosen by a programme administrator) and the
    administration must belong to it."""

    class Meta:
        model = Participant
        fields = [
            "first_name",
            "last_name",
            "email",
            "employee_number",
            "administration",
            "operational_area",
            "position",
            "appointed_on",
        ]
        widgets = {"appointed_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        self.instance.municipality = municipality
        self.fields["administration"].queryset = municipality.administrations.all()
        self.fields["administration"].empty_label = NO_ADMINISTRATION
        self.fields["operational_area"].choices = [
            ("", NO_OPERATIONAL_AREA),
            *OperationalArea.choices,
        ]
        self.fields["position"].choices = [("", NO_POSITION), *Position.choices]
        self.fields["email"].help_text = _("Used to match the manager in file imports.")

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        clash = Participant.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                _("Another manager already has this e-mail address."), code="duplicate"
            )
        return email

    def clean_employee_number(self):
        number = self.cleaned_data["employee_number"].strip()
        if number:
            clash = Participant.objects.filter(
                municipality=self.municipality, employee_number=number
            ).exclude(pk=self.instance.pk)
            if clash.exists():
                raise forms.ValidationError(
                    _("Another manager in the municipality has this employee number.")
                )
        return number


class MandateForm(forms.ModelForm):
    """A version of a municipality's mandate. A change of rules is a new version with a
    later effective date; the earlier versions stay on record."""

    positions = forms.MultipleChoiceField(
        label=_("Positions in scope"),
        choices=Position.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked means every position."),
    )
    operational_areas = forms.MultipleChoiceField(
        label=_("Operational areas in scope"),
        choices=OperationalArea.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked means every area."),
    )

    class Meta:
        model = Mandate
        fields = [
            "decided_on",
            "decision_body",
            "reference",
            "effective_from",
            "positions",
            "operational_areas",
            "administrations",
            "start_within_months",
            "complete_within_months",
            "extension_limit_months",
            "fixed_completion_date",
            "clock_restarts_on_arrival",
            "notes",
        ]
        widgets = {
            "decided_on": forms.DateInput(attrs={"type": "date"}),
            "effective_from": forms.DateInput(attrs={"type": "date"}),
            "fixed_completion_date": forms.DateInput(attrs={"type": "date"}),
            "administrations": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        self.instance.municipality = municipality
        self.fields["administrations"].queryset = municipality.administrations.all()

    def clean_effective_from(self):
        effective_from = self.cleaned_data["effective_from"]
        clash = Mandate.objects.filter(
            municipality=self.municipality, effective_from=effective_from
        ).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                _("A version of the mandate already takes effect on this date.")
            )
        return effective_from

    def clean(self):
        cleaned = super().clean()
        decided, effective = cleaned.get("decided_on"), cleaned.get("effective_from")
        if decided and effective and effective < decided:
            self.add_error(
                "effective_from", _("A mandate cannot take effect before it is decided.")
            )
        if not (
            cleaned.get("start_within_months")
            or cleaned.get("complete_within_months")
            or cleaned.get("fixed_completion_date")
        ):
            raise forms.ValidationError(_("Give at least one deadline rule."))
        for name in ("start_within_months", "complete_within_months"):
            value = cleaned.get(name)
            if value is not None and not 1 <= value <= 120:
                self.add_error(name, _("Enter a number of months between 1 and 120."))
        return cleaned
