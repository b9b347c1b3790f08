"""Forms of the managers pages: the list's filters, editing, leaving and nominating."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout, Submit
from django import forms
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from portal.accounts.scope import EDITOR_ROLES, reach
from portal.widgets import (
    BootstrapErrors,
    ListedChoices,
    QuickCheckboxes,
    bootstrap_widgets,
    quick_selects,
)
from programmes.models import Municipality
from programmes.selectors import administrations_visible_to, municipalities_visible_to

from .forms import NO_ADMINISTRATION, NO_OPERATIONAL_AREA, NO_POSITION, ParticipantForm
from .models import OperationalArea, Participant, Position
from .services.enrolments import WARNING_CODES
from .services.participants import (
    TAKE_OVER_ROLES,
    appointment_problem,
    leaving_date_problem,
    move_date_problem,
)


class FilterForm(BootstrapErrors, forms.Form):
    """The form django-filter builds for the managers list and the compliance page,
    laid out by their templates (`forms/_field.html` a field: the pages HR opens most)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        quick_selects(self)
        bootstrap_widgets(self)


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ParticipantEditForm(ParticipantForm):
    """ParticipantForm for editors. The municipality is fixed when the editor reaches
    exactly one; otherwise they choose among those they reach. Administrations are
    limited to the editor's reach."""

    def __init__(self, *args, user, municipalities, **kwargs):
        municipalities = list(municipalities)
        data = args[0] if args else kwargs.get("data")
        instance = kwargs.get("instance")
        chosen = self._chosen_municipality(data, municipalities, instance)
        super().__init__(*args, municipality=chosen, **kwargs)
        self.user = user
        self.fields["appointed_on"].widget = _date_input()
        administrations = administrations_visible_to(user, EDITOR_ROLES).select_related(
            "municipality"
        )
        if len(municipalities) > 1:
            self.fields["municipality"] = forms.ModelChoiceField(
                label=_("Municipality"),
                queryset=Municipality.objects.filter(pk__in=[m.pk for m in municipalities]),
                empty_label=_("Choose a municipality"),
                initial=instance.municipality_id if instance and instance.pk else None,
            )
            self.order_fields(["municipality"])
            administrations = administrations.filter(municipality__in=municipalities)
            if instance is not None and instance.pk:
                self.fields["moved_on"] = forms.DateField(
                    label=_("Moved to the new municipality on"),
                    required=False,
                    widget=_date_input(),
                    help_text=_("Only when the manager moves to another municipality."),
                )
        else:
            administrations = administrations.filter(municipality=chosen)
        self.fields["administration"].queryset = administrations
        self.fields["administration"].label = _("Administration")
        self.helper = FormHelper(self)
        self.helper.add_input(_submit(_("Save")))

    @staticmethod
    def _chosen_municipality(data, municipalities, instance):
        if len(municipalities) == 1:
            return municipalities[0]
        raw = str(data.get("municipality", "")).strip() if data is not None else ""
        match = next((m for m in municipalities if str(m.pk) == raw), None)
        if match:
            return match
        if instance is not None and instance.pk:
            return instance.municipality
        return municipalities[0]

    def clean(self):
        cleaned = super().clean()
        administration = cleaned.get("administration")
        if administration and administration.municipality_id != self.municipality.pk:
            self.add_error(
                "administration", _("Choose an administration of the chosen municipality.")
            )
        if administration is None and not self._reaches_whole(self.municipality):
            self.add_error(
                "administration", _("Choose one of the administrations you are responsible for.")
            )
        problem = appointment_problem(self.instance, cleaned.get("appointed_on"))
        if problem:
            self.add_error("appointed_on", problem)
        if self._moves():
            problem = move_date_problem(self.instance, cleaned.get("moved_on"))
            if problem:
                self.add_error("moved_on", problem)
        return cleaned

    def _moves(self) -> bool:
        original = self.instance.pk and type(self.instance).objects.get(pk=self.instance.pk)
        return bool(original) and original.municipality_id != self.municipality.pk

    def _reaches_whole(self, municipality) -> bool:
        r = reach(self.user, EDITOR_ROLES)
        return municipality.pk in r.municipality_ids or municipality.region_id in r.region_ids


class ParticipantLeaveForm(forms.Form):
    left_on = forms.DateField(label=_("Left the manager role on"), widget=_date_input())

    def __init__(self, *args, participant, **kwargs):
        super().__init__(*args, **kwargs)
        self.participant = participant
        if participant.left_on:
            self.fields["left_on"].initial = participant.left_on
        self.helper = FormHelper(self)
        self.helper.add_input(_submit(_("Record leaving")))

    def clean_left_on(self):
        left_on = self.cleaned_data["left_on"]
        problem = leaving_date_problem(self.participant, left_on)
        if problem:
            raise forms.ValidationError(problem, code="invalid_date")
        return left_on


class TakeOverForm(forms.Form):
    """Taking over a manager who moves in from a municipality outside the user's reach:
    the manager's e-mail address, the day of the move and the new post. Sent twice: first
    to check, then with `confirmed` once the user has read what will happen. A
    municipality or administration outside the user's reach is an unknown id (404)."""

    email = forms.EmailField(label=_("E-mail address"))
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=None, empty_label=_("Choose a municipality")
    )
    moved_on = forms.DateField(label=_("Moved to the new municipality on"), widget=_date_input())
    administration = forms.ModelChoiceField(
        label=_("Administration"),
        queryset=None,
        required=False,
        empty_label=NO_ADMINISTRATION,
    )
    position = forms.ChoiceField(
        label=_("Position"), choices=[("", NO_POSITION), *Position.choices], required=False
    )
    operational_area = forms.ChoiceField(
        label=_("Operational area"),
        choices=[("", NO_OPERATIONAL_AREA), *OperationalArea.choices],
        required=False,
    )
    employee_number = forms.CharField(
        label=_("Employee number"),
        max_length=30,
        required=False,
        help_text=_("The number in your municipality, if any; the former one does not follow."),
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        municipalities = municipalities_visible_to(user, TAKE_OVER_ROLES).order_by("name")
        self.fields["municipality"].queryset = municipalities
        if len(municipalities) == 1:
            self.fields["municipality"].initial = municipalities[0].pk
        self.fields["administration"].queryset = administrations_visible_to(
            user, TAKE_OVER_ROLES
        ).filter(municipality__in=municipalities)
        self.helper = FormHelper(self)
        self.helper.add_input(_submit(_("Continue")))

    def has_unknown_ids(self) -> bool:
        return self.has_error("municipality", "invalid_choice") or self.has_error(
            "administration", "invalid_choice"
        )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_employee_number(self):
        return self.cleaned_data["employee_number"].strip()

    def clean(self):
        cleaned = super().clean()
        municipality = cleaned.get("municipality")
        administration = cleaned.get("administration")
        if municipality is None:
            return cleaned
        if administration and administration.municipality_id != municipality.pk:
            self.add_error(
                "administration", _("Choose an administration of the chosen municipality.")
            )
        if (
            administration is None
            and municipality.pk not in reach(self.user, TAKE_OVER_ROLES).municipality_ids
        ):
            self.add_error(
                "administration", _("Choose one of the administrations you are responsible for.")
            )
        number = cleaned.get("employee_number")
        if (
            number
            and Participant.objects.filter(municipality=municipality, employee_number=number)
            .exclude(email__iexact=cleaned.get("email", ""))
            .exists()
        ):
            self.add_error(
                "employee_number",
                _("Another manager in the municipality has this employee number."),
            )
        return cleaned


class OfferingChoiceField(forms.ModelChoiceField):
    # A few offerings: one plain query, not a server-side cursor.
    iterator = ListedChoices

    def label_from_instance(self, offering):
        return _("Course %(position)s: %(course)s, %(term)s") % {
            "position": offering.course.slot.position,
            "course": offering.course.title,
            "term": offering.term,
        }


class NominationForm(forms.Form):
    """The offering to nominate to. `offerings` is the scoped queryset to choose from; an
    offering outside it is an unknown id (the view answers 404)."""

    offering = OfferingChoiceField(
        label=_("Course offering"), queryset=None, empty_label=_("Choose a course offering")
    )
    # The programme's warnings the user has read and goes on despite (their codes).
    confirmed = forms.MultipleChoiceField(
        choices=[(code, code) for code in WARNING_CODES],
        required=False,
        widget=forms.MultipleHiddenInput,
    )

    def __init__(self, *args, offerings, action=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offering"].queryset = offerings
        self.action = action

    @cached_property
    def helper(self):
        """crispy-forms' layout of the single nomination (the bulk one has a template)."""
        helper = FormHelper(self)
        if self.action:
            helper.form_action = self.action
        helper.layout = Layout(Field("offering"))
        helper.add_input(_submit(_("Nominate")))
        return helper

    def has_unknown_ids(self) -> bool:
        return self.has_error("offering", "invalid_choice")


class BulkNominationForm(NominationForm):
    """Several managers and one offering. The checkboxes are rendered in the list's rows;
    the template lays out only the offering and the button, inside the list's own form."""

    participants = forms.ModelMultipleChoiceField(
        label=_("Managers"), queryset=None, widget=QuickCheckboxes
    )

    def __init__(self, *args, participants, form_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = participants
        if form_id:
            # The checkboxes sit in the table's rows, outside the form element above it.
            self.fields["participants"].widget.attrs["form"] = form_id
        # Laid out by the template (`forms/_field.html`): only the offering is shown
        # with the button; the checkboxes sit in the list's rows.
        quick_selects(self)
        bootstrap_widgets(self)

    def has_unknown_ids(self) -> bool:
        return (
            super().has_unknown_ids()
            or self.has_error("participants", "invalid_choice")
            or self.has_error("participants", "invalid_pk_value")
        )


def _submit(label):
    return Submit("submit", label)
