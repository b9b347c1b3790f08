from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Participant


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
        self.fields["email"].help_text = _("Used to match the manager in file imports.")

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        clash = Participant.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Another manager already has this e-mail address."))
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
