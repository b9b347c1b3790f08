import re

import pytest
from django import forms
from django.template.loader import render_to_string

from portal.widgets import (
    BootstrapErrors,
    QuickCheckboxes,
    QuickRendering,
    QuickSelect,
    bootstrap_widgets,
    choices_read,
    listed_options,
    options_read,
    quick_selects,
)

CHOICES = [
    ("", "Alla"),
    ("1", "Borlänge & Falun"),
    ("2", 'Sal "A" <b>'),
    ("Grupp 'x'", [("3", "Tre"), ("4", "Fyra")]),
]


def _tags(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("value", ["", "1", "2", "4", None, "saknas"])
def test_the_quick_select_writes_the_same_html_as_djangos(value):
    attrs = {"class": "form-select", "id": "id_m", "required": True, "disabled": False}

    django_html = forms.Select(choices=CHOICES, attrs=attrs).render("m", value)
    quick_html = QuickSelect(choices=CHOICES, attrs=attrs).render("m", value)

    assert _tags(quick_html) == _tags(django_html)
    assert "&lt;b&gt;" in quick_html and "&amp;" in quick_html


def test_a_form_gets_the_quick_select_for_its_plain_selects_only():
    class Form(forms.Form):
        one = forms.ChoiceField(choices=CHOICES)
        many = forms.MultipleChoiceField(choices=CHOICES)
        radio = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect)

    form = Form()
    quick_selects(form)

    assert type(form.fields["one"].widget) is QuickSelect
    assert type(form.fields["many"].widget) is forms.SelectMultiple
    assert type(form.fields["radio"].widget) is forms.RadioSelect


@pytest.mark.parametrize("value", [[], ["1"], ["1", "4"]])
def test_the_quick_checkboxes_place_the_same_inputs_one_by_one(value):
    choices = [("1", "Ett"), ("4", 'Fyra "4"')]
    attrs = {"form": "bulk", "class": "form-check-input", "disabled": False}

    class Form(forms.Form):
        django = forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple(attrs=attrs)
        )
        quick = forms.MultipleChoiceField(choices=choices, widget=QuickCheckboxes(attrs=attrs))

    form = Form(initial={"django": value, "quick": value})
    django_tags = [w.tag() for w in form["django"]]
    quick_tags = [w.tag().replace("quick", "django") for w in form["quick"]]

    assert quick_tags == django_tags
    # Whole, with labels, the quick widget is Django's own.
    assert str(form["quick"]).replace("quick", "django") == str(form["django"])


class _Filters(BootstrapErrors, forms.Form):
    q = forms.CharField(required=False, help_text="Namn eller e-post")
    status = forms.ChoiceField(choices=[("", "Alla"), ("a", "A")], required=False)
    active = forms.BooleanField(required=False)
    many = forms.MultipleChoiceField(
        choices=[("a", "A")], required=False, widget=forms.CheckboxSelectMultiple
    )
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_widgets(self)


def test_bootstrap_widgets_give_each_kind_its_class_and_leave_the_rest():
    form = _Filters()
    classes = {name: field.widget.attrs.get("class") for name, field in form.fields.items()}
    assert classes == {
        "q": "form-control",
        "status": "form-select",
        "active": "form-check-input",
        "many": None,
        "hidden": None,
    }
    # Per form: another form's widgets are untouched.
    assert "class" not in _Filters.base_fields["q"].widget.attrs


def test_the_lean_field_template_shows_an_error_where_the_widget_points_to_it():
    form = _Filters({"status": "bogus"})
    assert not form.is_valid()
    html = render_to_string("forms/_field.html", {"field": form["status"]})
    widget = re.search(r"<select[^>]*>", html).group(0)
    assert 'class="form-select is-invalid"' in widget
    assert 'aria-invalid="true"' in widget
    described_by = re.search(r'aria-describedby="([^"]+)"', widget).group(1)
    assert f'id="{described_by}"' in html and "bogus" in html
    assert '<label for="id_status" class="form-label">' in html
    # Valid fields stay unmarked, and help text is where Django points to it.
    html = render_to_string("forms/_field.html", {"field": form["q"]})
    assert "is-invalid" not in html
    assert 'aria-describedby="id_q_helptext"' in html and 'id="id_q_helptext"' in html


def test_model_choices_are_read_by_one_plain_query_not_a_server_side_cursor(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from programmes.models import Municipality

    class Form(forms.Form):
        municipality = forms.ModelChoiceField(
            queryset=Municipality.objects.order_by("name"), empty_label="Alla"
        )

    form = Form()
    quick_selects(form)
    with CaptureQueriesContext(connection) as queries:
        html = str(form["municipality"])
    assert len(queries) == 1
    assert not queries[0]["sql"].startswith("DECLARE")
    assert '<option value="" selected>Alla</option>' in html
    assert f'<option value="{world.borlange.pk}">Borlänge</option>' in html


def test_choices_read_give_the_options_of_the_queryset_without_a_query(
    world, django_assert_num_queries
):
    from programmes.models import Municipality

    class Form(forms.Form):
        municipality = forms.ModelChoiceField(
            queryset=Municipality.objects.order_by("name"), empty_label="Alla"
        )

    queried = Form()
    quick_selects(queried)
    from_db = str(queried["municipality"])
    read = list(Municipality.objects.order_by("name"))
    form = Form(initial={"municipality": world.falun.pk})
    quick_selects(form)
    choices_read(form.fields["municipality"], read)
    with django_assert_num_queries(0):
        html = str(form["municipality"])
    assert html == from_db.replace(
        f'value="{world.falun.pk}"', f'value="{world.falun.pk}" selected'
    ).replace('<option value="" selected>', '<option value="">')
    # Kept as (pk, label) instead of the objects: the same select.
    kept = Form(initial={"municipality": world.falun.pk})
    quick_selects(kept)
    options_read(kept.fields["municipality"], listed_options(read))
    with django_assert_num_queries(0):
        assert str(kept["municipality"]) == html
    # Submitted, the form is still validated against its queryset.
    submitted = Form(data={"municipality": str(world.falun.pk)})
    choices_read(submitted.fields["municipality"], [])
    assert submitted.is_valid() and submitted.cleaned_data["municipality"] == world.falun


@pytest.mark.parametrize("value", [None, "", 'Ann "A" & <b>'])
@pytest.mark.parametrize(
    "widget",
    [forms.TextInput, forms.SearchInput, forms.EmailInput, forms.NumberInput, forms.DateInput],
)
def test_quick_inputs_write_the_same_html_as_djangos(widget, value):
    attrs = {"class": "form-control", "id": "id_q", "required": True, "disabled": False}

    class Form(forms.Form):
        q = forms.CharField(required=False, widget=widget(attrs=attrs))

    form = Form(initial={"q": value})
    django_html = str(form["q"])
    quick_selects(form)

    assert type(form.fields["q"].widget).__name__ == f"Quick{widget.__name__}"
    assert str(form["q"]) == django_html


@pytest.mark.parametrize("value", [None, "name", "-hp"])
def test_the_sort_order_of_a_filter_is_quick_and_writes_the_same_html(value):
    import django_filters

    from enrolment.models import Participant

    class Filters(django_filters.FilterSet):
        ordering = django_filters.OrderingFilter(fields=(("name", "name"), ("hp", "hp")))

        class Meta:
            model = Participant
            fields = []

    data = {} if value is None else {"ordering": value}
    django_form = Filters(data).form
    form = Filters(data).form
    quick_selects(form)

    assert isinstance(form.fields["ordering"].widget, QuickRendering)
    assert _tags(str(form["ordering"])) == _tags(str(django_form["ordering"]))
