"""Errors as problem details (RFC 9457), in the language the caller asks for.

Every error the API gives has the same shape: `type`, `title`, `status`, `detail`,
`instance`, and for invalid input `errors`, a list of `{"field", "message"}` (with `row`
for a bulk upsert). Django's own errors from the services (ValidationError, Http404)
pass through here too, so a rule broken in a service reads the same as one broken in
the request.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import set_rollback

from portal.errors import PROBLEM_TYPE


class RowsInvalid(exceptions.ValidationError):
    """Rows of a bulk upsert that break the file import's rules, each error on its row."""

    def __init__(self, items: list[dict]):
        super().__init__(detail=[item["message"] for item in items])
        self.items = items


def _titles():
    return {
        400: _("The request is not valid"),
        401: _("A valid API key is required"),
        404: _("Nothing found"),
        405: _("The method is not allowed here"),
        406: _("The requested format cannot be given"),
        415: _("The request body's format is not supported"),
        429: _("Too many requests"),
    }


def _field_errors(detail, prefix="") -> list[dict]:
    """Flatten DRF's nested error detail into `{"field", "message"}` items, naming nested
    fields as `rows[2].email`."""
    if isinstance(detail, dict):
        items = []
        for name, value in detail.items():
            items += _field_errors(value, _join(prefix, name))
        return items
    if isinstance(detail, list):
        items = []
        for index, value in enumerate(detail):
            nested = isinstance(value, dict | list)
            items += _field_errors(value, _join(prefix, index) if nested else prefix)
        return items
    return [{"field": prefix, "message": str(detail)}]


def _join(prefix: str, name) -> str:
    if isinstance(name, int):
        return f"{prefix}[{name}]"
    if name == "non_field_errors":
        return prefix
    return f"{prefix}.{name}" if prefix else str(name)


def problem(request, status_code: int, detail: str, errors: list | None = None, headers=None):
    body = {
        "type": "about:blank",
        "title": _titles().get(status_code, _("The request failed")),
        "status": status_code,
        "detail": detail,
        "instance": request.path if request is not None else "",
    }
    if errors:
        body["errors"] = errors
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM_TYPE)


def _translate(exc):
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(detail=as_serializer_error(exc))
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    return exc


def _detail(exc) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return _("The request has errors; see the list of errors.")
    if isinstance(exc, exceptions.NotFound):
        return _("There is nothing here that this key may see.")
    if isinstance(exc, exceptions.Throttled):
        return _("This key has made too many requests. Try again in %(seconds)s seconds.") % {
            "seconds": exc.wait and int(exc.wait) or 1
        }
    return str(exc.detail)


def exception_handler(exc, context):
    exc = _translate(exc)
    if not isinstance(exc, exceptions.APIException):
        return None
    request = context.get("request")
    headers = {}
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        view = context.get("view")
        auth_header = view.get_authenticate_header(request) if view and request else None
        if auth_header:
            headers["WWW-Authenticate"] = auth_header
        # DRF answers 403 for a missing key when no header is offered; the key is what's
        # missing, so it is 401 either way.
        exc.status_code = status.HTTP_401_UNAUTHORIZED
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        headers["Retry-After"] = str(int(exc.wait) or 1)
    errors = None
    if isinstance(exc, RowsInvalid):
        errors = exc.items
    elif isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(exc.detail)
    set_rollback()
    return problem(request, exc.status_code, _detail(exc), errors, headers)
