from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from .scope import has_role


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
