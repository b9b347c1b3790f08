"""Forms of the evaluation pages: questionnaires, rounds, the answer form and the
results filter."""

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.models import Course, Municipality

from .models import EvaluationRound, Question, QuestionKind, Questionnaire, Response

DATE_WIDGET = {"attrs": {"type": "date"}, "format": "%Y-%m-%d"}


class QuestionnaireForm(forms.ModelForm):
    class Meta:
        model = Questionnaire
        fields = ["title", "is_default"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["position", "text", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False
        self.fields["position"].help_text = _("Questions are shown in this order.")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def validate_unique(self):
        """Positions are only the order asked for: questionnaire_save renumbers them, so
        two questions may swap places or share a number here."""


class BaseQuestionFormSet(forms.BaseInlineFormSet):
    def validate_unique(self):
        """See QuestionForm.validate_unique."""


QuestionFormSet = forms.inlineformset_factory(
    Questionnaire,
    Question,
    form=QuestionForm,
    formset=BaseQuestionFormSet,
    extra=3,
    can_delete=True,
    min_num=1,
    validate_min=True,
)


class RoundForm(forms.ModelForm):
    """Open a questionnaire for a course offering, between two days."""

    class Meta:
        model = EvaluationRound
        fields = ["offering", "questionnaire", "opens_on", "closes_on"]
        widgets = {
            "opens_on": forms.DateInput(**DATE_WIDGET),
            "closes_on": forms.DateInput(**DATE_WIDGET),
        }

    def __init__(self, *args, offerings, questionnaires, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A round stays with its offering and questionnaire: answers belong to both.
            del self.fields["offering"]
            del self.fields["questionnaire"]
        else:
            self.fields["offering"].queryset = offerings
            self.fields["offering"].empty_label = _("Choose a course offering")
            self.fields["questionnaire"].queryset = questionnaires
            self.fields["questionnaire"].empty_label = _("Choose a questionnaire")
            self.fields["opens_on"].initial = timezone.localdate()
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save")))

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("The closing day cannot be before the opening day."))
        offering = cleaned.get("offering")
        if (
            offering is not None
            and EvaluationRound.objects.filter(offering=offering)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("offering", _("This course offering already has an evaluation."))
        return cleaned


LIKERT_CHOICES = [
    (1, _("1 – Strongly disagree")),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, _("5 – Strongly agree")),
]


class AnswerForm(forms.Form):
    """The questionnaire of a round as a form: one field per question, named by its id.
    Statements must be answered; free text may be left empty."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            if question.kind == QuestionKind.LIKERT:
                field = forms.TypedChoiceField(
                    label=question.text,
                    choices=LIKERT_CHOICES,
                    coerce=int,
                    widget=forms.RadioSelect,
                )
            else:
                field = forms.CharField(
                    label=question.text,
                    required=False,
                    max_length=2000,
                    widget=forms.Textarea(attrs={"rows": 4}),
                )
            self.fields[f"q{question.pk}"] = field
        self.helper = FormHelper()
        self.helper.add_input(Submit("send", _("Send my answers")))

    @property
    def answers(self) -> dict[int, int | str]:
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}


GROUPING_CHOICES = [
    ("offering", _("Course offering")),
    ("course", _("Course")),
    ("term", _("Term")),
    ("municipality", _("Municipality")),
]


class ResultsFilter(django_filters.FilterSet):
    """Narrows the responses counted in the results. A value outside the choices makes
    that filter invalid and so ignored."""

    term = django_filters.ChoiceFilter(
        field_name="round__offering__term",
        label=_("Term"),
        choices=(),
        empty_label=_("All terms"),
    )
    course = django_filters.ModelChoiceFilter(
        field_name="round__offering__course",
        label=_("Course"),
        queryset=Course.objects.none(),
        empty_label=_("All courses"),
    )
    municipality = django_filters.ModelChoiceFilter(
        label=_("Municipality"),
        queryset=Municipality.objects.none(),
        empty_label=_("All municipalities"),
    )
    by = django_filters.ChoiceFilter(
        label=_("Show results per"),
        choices=GROUPING_CHOICES,
        empty_label=None,
        method="group_by",
    )

    class Meta:
        model = Response
        fields = ["term", "course", "municipality"]

    def __init__(self, data=None, queryset=None, *, region_ids, **kwargs):
        super().__init__(data, queryset, **kwargs)
        terms = (
            self.queryset.order_by("-round__offering__term_index")
            .values_list("round__offering__term", "round__offering__term_index")
            .distinct()
        )
        self.filters["term"].extra["choices"] = [(term, term) for term, _index in terms]
        self.filters["course"].queryset = Course.objects.filter(
            slot__programme__region_id__in=region_ids
        )
        self.filters["municipality"].queryset = Municipality.objects.filter(
            region_id__in=region_ids
        )
        self.form.helper = FormHelper()
        self.form.helper.form_method = "get"
        self.form.helper.layout = Layout(
            Row(
                Column("by", css_class="col-md-3"),
                Column("term", css_class="col-md-2"),
                Column("course", css_class="col-md-3"),
                Column("municipality", css_class="col-md-2"),
                Column(Submit("filter", _("Show"), css_class="mt-md-4"), css_class="col-md-2"),
            )
        )

    def group_by(self, queryset, name, value):
        """The grouping shapes the table, not the responses counted."""
        return queryset

    @property
    def grouping(self) -> str:
        if not self.is_bound:
            return "offering"
        self.form.is_valid()
        return self.form.cleaned_data.get("by") or "offering"
