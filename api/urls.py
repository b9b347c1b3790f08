from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from . import views, views_tokens

router = SimpleRouter(use_regex_path=False)
router.register("managers", views.ParticipantViewSet, basename="manager")
router.register("offerings", views.OfferingViewSet, basename="offering")
router.register("enrolments", views.EnrolmentViewSet, basename="enrolment")
router.register("aggregates", views.AggregateViewSet, basename="aggregate")

app_name = "api"
urlpatterns = [
    path("api/v1/", include(router.urls)),
    re_path(r"^api/v1/", views.UnknownPath.as_view()),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The page and its start-up script as separate answers: no inline script for the CSP.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    path("api/nycklar/", views_tokens.token_list, name="token_list"),
    path("api/nycklar/<int:pk>/aterkalla/", views_tokens.token_revoke_view, name="token_revoke"),
]
