from django import template

from portal.accounts.models import IdentityProvider
from portal.accounts.sso import SESSION_LOGOUT, sign_in_origin

register = template.Library()


@register.inclusion_tag("account/_sso.html", takes_context=True)
def sso_sign_in(context):
    """Buttons for the identity providers set up in the admin, and after a log-out, the
    provider's own log-out."""
    request = context["request"]
    providers = IdentityProvider.objects.select_related("app").order_by("app__name")
    # The page's buttons post to the portal, which redirects to the provider: the CSP's
    # form-action allows those providers on this page (portal.middleware).
    request.form_action_origins = {sign_in_origin(p.app) for p in providers} - {None}
    return {
        "csrf_token": context.get("csrf_token"),
        "providers": [
            {"name": p.app.name, "url": p.app.get_provider(request).get_login_url(request)}
            for p in providers
        ],
        "provider_logout": request.session.get(SESSION_LOGOUT),
        "next": request.GET.get("next", ""),
    }
