from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("proposals", views.ProposalViewSet, basename="api-proposal")
router.register("proposers", views.ProposerViewSet, basename="api-proposer")
router.register("assignments", views.AssignmentViewSet, basename="api-assignment")
router.register("replies", views.ReplyViewSet, basename="api-reply")
router.register("public/replies", views.PublicReplyViewSet, basename="api-public-reply")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script, so the
    # site's Content-Security-Policy holds on this page too.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("token/", views.api_token, name="api-token"),
    path("feedback/", views.FeedbackView.as_view(), name="api-feedback"),
    *router.urls,
]
