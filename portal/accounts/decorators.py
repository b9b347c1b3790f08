from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.views.decorators.http import require_http_methods, require_safe

from .scope import has_role

__all__ = ["require_form_methods", "require_safe", "role_required"]

# A page with a form: shown with GET (and HEAD), sent with POST; any other method is 405.
require_form_methods = require_http_methods(["GET", "HEAD", "POST"])


def role_required(*roles):
    """A page for some roles only: anyone else gets 404, as for anything outside scope."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
