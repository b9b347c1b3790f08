"""The portal's own middleware: language, bad input, session timeouts, failed posts.

Language selection: Swedish unless the person chose otherwise.

Browsers announce English in Accept-Language on many Swedish workplaces' machines, so the
portal does not negotiate from that header: the language is the one chosen with the
switch (cookie), else the one saved on the account, else Swedish.
"""

import logging
import re
import time
from urllib.parse import unquote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig
from django.db import DataError
from django.utils import translation
from django.utils.translation import gettext as _

from .errors import bad_request

logger = logging.getLogger(__name__)

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


# Characters no form, address or search of the portal has a use for, and that PostgreSQL
# refuses in text (NUL): C0 controls other than tab and line breaks, DEL, and lone halves
# of surrogate pairs that a broken client may send percent-encoded.
INVALID_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_invalid_input(request) -> bool:
    texts = [request.path, unquote(request.META.get("QUERY_STRING", ""), errors="replace")]
    texts += [value for _key, values in request.GET.lists() for value in [_key, *values]]
    if request.method == "POST" and request.content_type in FORM_TYPES:
        texts += [value for _key, values in request.POST.lists() for value in [_key, *values]]
    return any(INVALID_CHARACTERS.search(text) for text in texts)


class RejectInvalidInputMiddleware:
    """Input no page can use answers 400 before it reaches a view or the database: NUL and
    control characters in the address, the query string or a form field. A value the
    database cannot hold (a number beyond its range, say) is bad input too, not an error
    of the portal's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            invalid = _has_invalid_input(request)
        except RequestDataTooBig:
            raise
        except (UnicodeError, ValueError):
            invalid = True
        if invalid:
            return bad_request(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DataError):
            logger.info("Bad input refused by the database on %s: %s", request.path, exception)
            return bad_request(request)
        return None


class SessionTimeoutMiddleware:
    """A session ends after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS
    after log-in, whatever the person does in between. The last request is written at
    most once a minute, so that a page full of htmx requests does not write on each."""

    STARTED = "portal_session_started"
    SEEN = "portal_session_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and self._expired(request):
            logout(request)
            messages.info(request, _("You were logged out. Log in again to continue."))
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)

    @classmethod
    def start(cls, sender, request, user, **kwargs):
        """At log-in: the session's clocks start (written with the log-in itself)."""
        now = int(time.time())
        request.session[cls.STARTED] = now
        request.session[cls.SEEN] = now

    def _expired(self, request) -> bool:
        now = int(time.time())
        session = request.session
        # A session from before these clocks existed starts them now.
        started = session.setdefault(self.STARTED, now)
        seen = session.get(self.SEEN, now)
        if now - seen > settings.SESSION_IDLE_MINUTES * 60:
            return True
        if now - started > settings.SESSION_MAX_HOURS * 60 * 60:
            return True
        if now - seen >= 60 or self.SEEN not in session:
            session[self.SEEN] = now
        return False


class FormErrorStatusMiddleware:
    """A post answered with its form and the form's errors is a failed post: 422, so that
    monitoring, tests and htmx (configured in base.html to swap it) can tell it from a
    success. The template engine notes the errors (portal.templating)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method == "POST"
            and response.status_code == 200
            and getattr(request, "form_has_errors", False)
        ):
            response.status_code = 422
        return response


class FormActionOriginsMiddleware:
    """A page whose forms lead on to another site (an identity provider's sign-in) names
    those origins on the request; the CSP's form-action allows them on that page alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        origins = getattr(request, "form_action_origins", None)
        if origins:
            response._csp_update = {"form-action": sorted(origins)}
        return response
