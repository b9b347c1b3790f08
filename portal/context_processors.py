from .accounts.scope import roles_of
from .roles import dashboards_for


def roles(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    return {"user_roles": roles_of(user), "user_dashboards": dashboards_for(user)}
