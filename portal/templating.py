"""Django's template engine, noting on the request when it renders a form with errors.

A post whose form comes back with errors then answers 422 instead of 200
(portal.middleware.FormErrorStatusMiddleware), for every view, allauth's and the admin's
included, without each view having to say so.
"""

from django.forms import BaseForm, BaseFormSet
from django.template import TemplateDoesNotExist
from django.template.backends import django as django_backend
from django.template.backends.django import reraise


def has_errors(value) -> bool:
    if isinstance(value, BaseFormSet):
        return value.is_bound and value.total_error_count() > 0
    if isinstance(value, BaseForm):
        return value.is_bound and bool(value.errors)
    return False


def context_has_form_errors(context) -> bool:
    for value in (context or {}).values():
        values = value if isinstance(value, list | tuple) else [value]
        if any(has_errors(item) for item in values):
            return True
    return False


class Template(django_backend.Template):
    def render(self, context=None, request=None):
        if request is not None and isinstance(context, dict) and context_has_form_errors(context):
            request.form_has_errors = True
        return super().render(context, request)


class DjangoTemplates(django_backend.DjangoTemplates):
    def from_string(self, template_code):
        return Template(self.engine.from_string(template_code), self)

    def get_template(self, template_name):
        try:
            return Template(self.engine.get_template(template_name), self)
        except TemplateDoesNotExist as exc:
            reraise(exc, self)
