import re

import pytest
from django import forms

from portal.widgets import QuickCheckboxes, QuickSelect, quick_selects

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
