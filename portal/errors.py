"""The portal's own error pages where Django's views would not use them."""

from django.shortcuts import render


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def csrf_failure(request, reason=""):
    # Django's own page explains CSRF to a developer; a person needs to reload the form.
    return render(request, "403.html", status=403)
