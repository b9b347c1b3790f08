"""Form widgets every app may use."""

import functools
from html import escape

from django import forms
from django.utils.safestring import mark_safe


def _attributes(attrs: dict) -> str:
    """Django's `attrs.html`: ` name="value"` each, a bare name for True, none for False."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input_html(widget: dict) -> str:
    """Django's `input.html` for the widget's context."""
    value = "" if widget["value"] is None else f' value="{escape(str(widget["value"]))}"'
    return (
        f'<input type="{widget["type"]}" name="{escape(widget["name"])}"{value}'
        f"{_attributes(widget['attrs'])}>"
    )


def _select_html(widget: dict) -> str:
    """Django's `select.html` for the widget's context, each option written in Python."""
    parts = [f'<select name="{escape(widget["name"])}"{_attributes(widget["attrs"])}>']
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f'<optgroup label="{escape(str(group))}">')
        # The standard library's escape says what Django's does, without its lazy
        # wrapping per call.
        parts += [
            f'<option value="{escape(str(option["value"]))}"'
            f"{' selected' if option['selected'] else ''}>"
            f"{escape(str(option['label']))}</option>"
            for option in options
        ]
        if group:
            parts.append("</optgroup>")
    parts.append("</select>")
    return "".join(parts)


INPUT_TEMPLATES = frozenset(
    widget.template_name
    for widget in (
        forms.TextInput,
        forms.SearchInput,
        forms.NumberInput,
        forms.EmailInput,
        forms.URLInput,
        forms.DateInput,
    )
)


class QuickRendering:
    """A widget written in Python rather than by Django's templates, for the selects and
    text inputs of the forms every list page carries: the same HTML, in a fraction of the
    time (a region's filters offer hundreds of municipalities and administrations)."""

    def _render(self, template_name, context, renderer=None):
        widget = context["widget"]
        if template_name == forms.Select.template_name and not widget["attrs"].get("multiple"):
            html = _select_html(widget)
        elif template_name in INPUT_TEMPLATES:
            html = _input_html(widget)
        else:
            return super()._render(template_name, context, renderer)
        return mark_safe(html)  # noqa: S308 (each part is escaped)


class QuickSelect(QuickRendering, forms.Select):
    """Django's select, written in Python."""


@functools.cache
def _quick(widget_class: type) -> type:
    return type(f"Quick{widget_class.__name__}", (QuickRendering, widget_class), {})


class QuickCheckboxes(forms.CheckboxSelectMultiple):
    """Django's checkboxes, each written in Python when a page places them one by one
    (`BoundWidget.tag`, a row of a list each): the same HTML as Django's template."""

    def _render(self, template_name, context, renderer=None):
        widget = context["widget"]
        if template_name != self.option_template_name or widget.get("wrap_label"):
            return super()._render(template_name, context, renderer)
        return mark_safe(_input_html(widget))  # noqa: S308 (each part is escaped)


class ListedChoices(forms.models.ModelChoiceIterator):
    """The choices of a model field read by one plain query. Django's iterator reads
    them through a server-side cursor (DECLARE, FETCH, CLOSE, and a held cursor's copy
    of its rows), made for sets too large to hold, not a page's few hundred options."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


def choices_read(field: forms.ModelChoiceField, objects) -> None:
    """The field's options from model objects the page has read already, rather than by
    another query of its queryset: the same options when `objects` are its rows. A
    submitted form is still validated against the queryset."""
    iterator = field.iterator(field)
    field.widget.choices = [
        *([("", field.empty_label)] if field.empty_label is not None else []),
        *(iterator.choice(obj) for obj in objects),
    ]


def listed_options(objects) -> list[tuple[int, str]]:
    """Each object as a model choice prints it by default, (pk, `str`): lighter to keep
    than the objects, for a select whose field keeps Django's `label_from_instance`."""
    return [(obj.pk, str(obj)) for obj in objects]


def options_read(field: forms.ModelChoiceField, options) -> None:
    """`choices_read` from `listed_options` kept earlier: the same options, with no
    model object made. A submitted form is still validated against the queryset."""
    field.widget.choices = [
        *([("", field.empty_label)] if field.empty_label is not None else []),
        *options,
    ]


def quick_selects(form: forms.BaseForm) -> None:
    """Give each select, text input and set of checkboxes of the form the quick one, and
    each model choice its choices in one query."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            field.iterator = ListedChoices
            field.widget.choices = field.choices
        widget = field.widget
        if type(widget) is forms.Select:
            widget.__class__ = QuickSelect
        elif type(widget) is forms.CheckboxSelectMultiple:
            widget.__class__ = QuickCheckboxes
        elif isinstance(widget, forms.widgets.Input | forms.Select) and not isinstance(
            widget, QuickRendering | forms.SelectMultiple | forms.RadioSelect
        ):
            # Text inputs, and selects of other kinds (django-filter's sort order).
            widget.__class__ = _quick(type(widget))


def bootstrap_widgets(form: forms.BaseForm) -> None:
    """Bootstrap's classes on the form's widgets, for a form written by
    `forms/_field.html` rather than crispy-forms; a field with an error is marked
    invalid once the form is validated (`BootstrapErrors`)."""
    for field in form.fields.values():
        widget = field.widget
        if widget.is_hidden or isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            continue
        if isinstance(widget, forms.Select):
            css = "form-select"
        elif isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        else:
            css = "form-control"
        widget.attrs["class"] = " ".join(filter(None, [widget.attrs.get("class", ""), css]))


class BootstrapErrors:
    """A form mixin: after validation, each field with an error has Bootstrap's
    `is-invalid` on its widget (Django itself sets `aria-invalid`)."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                classes = widget.attrs.get("class", "").split()
                if "is-invalid" not in classes:
                    widget.attrs["class"] = " ".join([*classes, "is-invalid"])
