from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import daycache
        from .middleware import SessionTimeoutMiddleware

        user_logged_in.connect(SessionTimeoutMiddleware.start, dispatch_uid="portal.session_start")
        daycache.connect()
