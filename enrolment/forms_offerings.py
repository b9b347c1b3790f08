"""Forms and filters of the programme administrator's offering pages."""

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programmes.models import Course, CourseOffering, OfferingState, ProgrammeSlot, Provider
from programmes.terms import Term

from .models import CreditTransfer, Grade
from .services.enrolments import result_problem

PASS_GRADES = (Grade.PASS, Grade.PASS_WITH_DISTINCTION)

DATE_WIDGET = {"attrs": {"type": "date"}, "format": "%Y-%m-%d"}


class OfferingFilter(django_filters.FilterSet):
    """Offerings by term, state and course; the choices come from what the user reaches.

    A value that is not among the choices makes that filter invalid and so ignored.
    """

    term = django_filters.ChoiceFilter(label=_("Term"), choices=(), empty_label=_("All terms"))
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=OfferingState.choices, empty_label=_("All states")
    )
    course = django_filters.ModelChoiceFilter(
        label=_("Course"), queryset=Course.objects.none(), empty_label=_("All courses")
    )

    class Meta:
        model = CourseOffering
        fields = ["term", "state", "course"]

    def __init__(self, data=None, queryset=None, *, courses, **kwargs):
        super().__init__(data, queryset, **kwargs)
        terms = self.queryset.order_by("-term_index").values_list("term", "term_index").distinct()
        self.filters["term"].extra["choices"] = [(term, term) for term, _index in terms]
        self.filters["course"].queryset = courses
        self.form.helper = FormHelper()
        self.form.helper.form_method = "get"
        self.form.helper.layout = Layout(
            Row(
                Column("term", css_class="col-md-3"),
                Column("state", css_class="col-md-3"),
                Column("course", css_class="col-md-4"),
                Column(
                    Submit("filter", _("Filter"), css_class="mt-md-4"),
                    css_class="col-md-2",
                ),
            )
        )


class OfferingForm(forms.ModelForm):
    """A course offering; the course is one of the programmes the administrator runs."""

    class Meta:
        model = CourseOffering
        fields = [
            "course",
            "provider",
            "term",
            "start_date",
            "end_date",
            "pace_percent",
            "mode",
            "seats",
            "application_deadline",
            "state",
        ]
        widgets = {
            "start_date": forms.DateInput(**DATE_WIDGET),
            "end_date": forms.DateInput(**DATE_WIDGET),
            "application_deadline": forms.DateInput(**DATE_WIDGET),
        }

    def __init__(self, *args, courses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses
        self.fields["course"].empty_label = _("Choose a course")
        programmes = courses.values("slot__programme_id")
        self.fields["provider"].queryset = (
            Provider.objects.filter(
                Q(programmes__in=programmes) | Q(programme_providers__programme__in=programmes)
            )
            .distinct()
            .order_by("name")
        )
        self.fields["provider"].empty_label = _("The programme's lead provider")
        self.fields["provider"].help_text = _(
            "Several providers may each give the course in a term, each once."
        )
        self.fields["term"].help_text = _("HT for autumn, VT for spring, e.g. HT2025.")
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save")))

    def clean_term(self):
        return str(Term.parse(self.cleaned_data["term"]))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        return cleaned


class ResultForm(forms.Form):
    """One row of the results grid: one enrolment's grade, credits and result date.

    A row left blank, or as it was, is not saved.
    """

    enrolment_id = forms.IntegerField(widget=forms.HiddenInput)
    grade = forms.ChoiceField(label=_("Grade"), choices=[("", "–"), *Grade.choices], required=False)
    credits = forms.DecimalField(
        label=_("Credits (hp)"), max_digits=4, decimal_places=1, required=False, localize=True
    )
    result_date = forms.DateField(
        label=_("Result date"), required=False, widget=forms.DateInput(**DATE_WIDGET)
    )

    def __init__(self, *args, enrolment, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "enrolment_id": enrolment.pk,
                "grade": enrolment.grade,
                "credits": enrolment.credits,
                "result_date": enrolment.result_date,
            },
        )
        super().__init__(*args, **kwargs)
        self.enrolment = enrolment
        name = enrolment.participant.full_name
        # Each cell is labelled with whose result it is, for screen readers.
        self.fields["grade"].label = _("Grade, %(name)s") % {"name": name}
        self.fields["credits"].label = _("Credits (hp), %(name)s") % {"name": name}
        self.fields["result_date"].label = _("Result date, %(name)s") % {"name": name}
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.label_class = "visually-hidden"

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return all(data.get(name) in (None, "") for name in ("grade", "credits", "result_date"))

    @property
    def to_save(self) -> bool:
        """Whether the row holds a new result to record."""
        return self.is_valid() and self.has_changed() and not self.is_blank

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("enrolment_id") != self.enrolment.pk:
            raise forms.ValidationError(
                _("The list of participants has changed. Reload the page and enter again."),
                code="stale",
            )
        if self.errors or not self.has_changed() or self.is_blank:
            return cleaned
        if cleaned.get("credits") is None and cleaned.get("grade") in PASS_GRADES:
            # A pass awards the course's hp unless the provider decided fewer.
            cleaned["credits"] = self.enrolment.offering.course.credits
        problems = result_problem(
            self.enrolment,
            cleaned.get("grade", ""),
            cleaned.get("credits"),
            cleaned.get("result_date"),
        )
        for name, message in problems.items():
            self.add_error(name, message)
        return cleaned


class BaseResultFormSet(forms.BaseFormSet):
    """One ResultForm per enrolment, in the order given; never more forms than rows."""

    def __init__(self, *args, enrolments, **kwargs):
        self.enrolments = list(enrolments)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        kwargs["enrolment"] = self.enrolments[index]
        return kwargs

    def total_form_count(self):
        # A tampered management form never makes more rows than there are enrolments.
        return min(super().total_form_count(), len(self.enrolments))

    def initial_form_count(self):
        return min(super().initial_form_count(), len(self.enrolments))


def result_formset(enrolments, data=None):
    enrolments = list(enrolments)
    formset_class = forms.formset_factory(
        ResultForm,
        formset=BaseResultFormSet,
        extra=len(enrolments),
        max_num=len(enrolments),
        absolute_max=max(len(enrolments), 1),
    )
    return formset_class(data, enrolments=enrolments, prefix="results")


class CreditTransferForm(forms.ModelForm):
    """A credit transfer for one manager, for a slot of their programme or all of it."""

    class Meta:
        model = CreditTransfer
        fields = ["slot", "kind", "reason", "decided_on"]
        widgets = {
            "decided_on": forms.DateInput(**DATE_WIDGET),
            "reason": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = ProgrammeSlot.objects.filter(programme=programme)
        self.fields["slot"].empty_label = _("The whole programme")
        self.fields["slot"].label = _("Course slot")
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Record the decision")))
