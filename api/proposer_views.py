"""The proposers' API (/api/me/): for a proposer's own scripts, or a deputy platform acting
with their token. It reads what the proposers' pages read (responses.proposer_selectors: the
items they filed or co-signed, and of the handling only what was sent to them) and calls the
same verbs (record_feedback; answer_cosignature). Staff accounts are refused here, as a
proposer's token is on every staff route (api.permissions)."""

from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.response import Response

from responses.actions import record_feedback
from responses.proposer_selectors import course, items_of, my_items, reply_for
from workflow.actions import answer_cosignature
from workflow.models import CoSignature

from .authentication import ExpiringTokenAuthentication
from .permissions import ProposerOnly
from .proposer_serializers import (
    InvitationSerializer,
    MyItemDetailSerializer,
    MyItemSerializer,
    MyRatingSerializer,
)

SAVED = inline_serializer("Saved", {"id": serializers.IntegerField()})


class ProposerViewSet(viewsets.ViewSet):
    authentication_classes = [SessionAuthentication, ExpiringTokenAuthentication]
    permission_classes = [ProposerOnly]
    lookup_value_regex = r"\d+"


@extend_schema(tags=["me"])
class MyItemViewSet(ProposerViewSet):
    """我的提案/建议: the items this proposer filed (领衔) or co-signed (联名)."""

    @extend_schema(responses=MyItemSerializer(many=True))
    def list(self, request):
        items = my_items(request.proposer)
        context = {"proposer": request.proposer}
        return Response(MyItemSerializer(items, many=True, context=context).data)

    @extend_schema(responses={200: MyItemDetailSerializer, 404: None})
    def retrieve(self, request, pk=None):
        item = items_of(request.proposer).select_related("session").filter(pk=pk).first()
        if item is None:
            raise Http404
        item.course = course(item, request.proposer)
        return Response(MyItemDetailSerializer(item).data)


@extend_schema(tags=["me"])
class MyReplyViewSet(ProposerViewSet):
    """A reply sent to this proposer: their 征询意见 (feedback), through the same verb as the
    emailed link and the proposers' page."""

    @extend_schema(request=MyRatingSerializer, responses={201: SAVED, 404: None, 409: None})
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        reply = reply_for(request.proposer, pk)
        if reply is None:
            raise Http404
        rating = MyRatingSerializer(data=request.data)
        rating.is_valid(raise_exception=True)
        feedback = record_feedback(reply, request.proposer, **rating.validated_data)
        return Response({"id": feedback.pk}, status=status.HTTP_201_CREATED)


@extend_schema(tags=["me"])
class MyInvitationViewSet(ProposerViewSet):
    """联名邀请: drafts whose lead asked this proposer to co-sign; confirm (附议) or decline."""

    def _invitations(self, request):
        return CoSignature.objects.filter(proposer=request.proposer).select_related(
            "draft__lead", "draft__session"
        )

    @extend_schema(responses=InvitationSerializer(many=True))
    def list(self, request):
        rows = self._invitations(request).order_by("-answer_by", "-pk")
        return Response(InvitationSerializer(rows, many=True).data)

    @extend_schema(request=None, responses={200: InvitationSerializer, 404: None, 409: None})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._answer(request, pk, confirm=True)

    @extend_schema(request=None, responses={200: InvitationSerializer, 404: None, 409: None})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._answer(request, pk, confirm=False)

    def _answer(self, request, pk, *, confirm):
        row = self._invitations(request).filter(pk=pk).first()
        if row is None:
            raise Http404
        row = answer_cosignature(row, request.user, confirm=confirm)
        row = self._invitations(request).get(pk=row.pk)
        return Response(InvitationSerializer(row).data)
