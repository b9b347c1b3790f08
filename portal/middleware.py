"""Language selection: Swedish unless the person chose otherwise.

Browsers announce English in Accept-Language on many Swedish workplaces' machines, so the
portal does not negotiate from that header: the language is the one chosen with the
switch (cookie), else the one saved on the account, else Swedish.
"""

from django.conf import settings
from django.utils import translation

SUPPORTED = {code for code, _ in settings.LANGUAGES}


def _activate(request, language):
    translation.activate(language)
    request.LANGUAGE_CODE = language


class PreferredLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        _activate(request, chosen if chosen in SUPPORTED else settings.LANGUAGE_CODE)
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class UserLanguageMiddleware:
    """After authentication: an account's saved language applies when no cookie says."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            user = getattr(request, "user", None)
            preferred = getattr(user, "preferred_language", "") if user else ""
            if preferred in SUPPORTED:
                _activate(request, preferred)
        return self.get_response(request)
