"""The portal's own error pages where Django's views would not use them."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

# The REST API's answers are problem details (RFC 9457), its errors before a view included.
API_PREFIX = "/api/v1/"
PROBLEM_TYPE = "application/problem+json"


def _bad_api_request(request):
    body = {
        "type": "about:blank",
        "title": _("The request is not valid"),
        "status": 400,
        "detail": _("The request could not be read"),
        "instance": request.path,
    }
    return JsonResponse(body, status=400, content_type=PROBLEM_TYPE)


def bad_request(request, exception=None):
    if request.path.startswith(API_PREFIX):
        return _bad_api_request(request)
    return render(request, "400.html", status=400)


def csrf_failure(request, reason=""):
    # Django's own page explains CSRF to a developer; a person needs to reload the form.
    return render(request, "403.html", status=403)
