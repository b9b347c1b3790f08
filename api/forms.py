from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import assignments_tokenable_by


class AssignmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.user.email} – {obj}"


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("System"),
        max_length=100,
        help_text=_("The system that will use the key, e.g. the HR system."),
    )
    assignment = AssignmentChoiceField(
        label=_("Acts as"),
        queryset=None,
        empty_label=_("Choose a person and role"),
        help_text=_("The person and role whose reach the key gets."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].queryset = assignments_tokenable_by(user)
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("create", _("Create key")))
