from rest_framework import exceptions, permissions

from portal.accounts.scope import has_role


class HasRole(permissions.BasePermission):
    """The view's `roles` (per action in `action_roles`) held by the token, else 404:
    outside the reach nothing is confirmed to exist, as on the pages."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        roles = getattr(view, "action_roles", {}).get(getattr(view, "action", None), view.roles)
        if not has_role(request.user, *roles):
            raise exceptions.NotFound()
        return True
