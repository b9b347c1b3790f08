"""Form widgets every app may use."""

from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


class QuickSelect(forms.Select):
    """Django's select, written in Python rather than by a template per option: the same
    HTML, in a fraction of the time for the lists of hundreds of municipalities and
    administrations a region's filters offer."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(format_html('<optgroup label="{}">', group))
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
        return mark_safe("".join(parts))  # noqa: S308 (each part is escaped above)


class QuickCheckboxes(forms.CheckboxSelectMultiple):
    """Django's checkboxes, each written in Python when a page places them one by one
    (`BoundWidget.tag`, a row of a list each): the same HTML as Django's template."""

    def _render(self, template_name, context, renderer=None):
        widget = context["widget"]
        if template_name != self.option_template_name or widget.get("wrap_label"):
            return super()._render(template_name, context, renderer)
        value = "" if widget["value"] is None else f' value="{escape(str(widget["value"]))}"'
        attributes = "".join(
            f" {escape(name)}" if value_ is True else f' {escape(name)}="{escape(str(value_))}"'
            for name, value_ in widget["attrs"].items()
            if value_ is not False
        )
        return mark_safe(  # noqa: S308 (each part is escaped)
            f'<input type="{widget["type"]}" name="{escape(widget["name"])}"{value}{attributes}>'
        )


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


def quick_selects(form: forms.BaseForm) -> None:
    """Give each plain select and set of checkboxes of the form the quick one, and each
    model choice its choices in one query."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            field.iterator = ListedChoices
            field.widget.choices = field.choices
        if type(field.widget) is forms.Select:
            field.widget.__class__ = QuickSelect
        elif type(field.widget) is forms.CheckboxSelectMultiple:
            field.widget.__class__ = QuickCheckboxes


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
