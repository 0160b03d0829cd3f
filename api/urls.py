from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import proposer_views, views

router = DefaultRouter()
router.register("proposals", views.ProposalViewSet, basename="api-proposal")
router.register("proposers", views.ProposerViewSet, basename="api-proposer")
router.register("assignments", views.AssignmentViewSet, basename="api-assignment")
router.register("replies", views.ReplyViewSet, basename="api-reply")
router.register("public/replies", views.PublicReplyViewSet, basename="api-public-reply")
# The proposers' own door (a proposer's session or token; staff refused): apart from the above.
router.register("me/items", proposer_views.MyItemViewSet, basename="api-my-item")
router.register("me/replies", proposer_views.MyReplyViewSet, basename="api-my-reply")
router.register("me/invitations", proposer_views.MyInvitationViewSet, basename="api-my-invitation")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script, so the
    # site's Content-Security-Policy holds on this page too.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("token/", views.api_token, name="api-token"),
    path("feedback/", views.FeedbackView.as_view(), name="api-feedback"),
    *router.urls,
]
