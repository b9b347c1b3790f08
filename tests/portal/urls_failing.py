"""The portal's URLs plus one page that fails, for the production error page test."""

from django.urls import path

from web.urls import handler400, handler404  # noqa: F401
from web.urls import urlpatterns as portal_urlpatterns


def failing_page(request):
    raise RuntimeError("internal detail that must not reach the visitor")


urlpatterns = [path("test-fel/", failing_page), *portal_urlpatterns]
