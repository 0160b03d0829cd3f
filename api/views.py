"""The REST API (DRF, described by drf-spectacular at /api/schema/): the same reads as the
pages, each narrowed by the same roles, and the same verbs for every change. A view parses,
calls one verb, and serialises; a refusal is 409 with the verb's own words."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from proposals import bigrams
from proposals.models import Channel, Proposal, ProposalProposer, Proposer
from proposals.params import plain_int
from responses import selectors, textsearch
from responses.actions import record_feedback, rotate_api_token
from responses.models import Commitment, Feedback, Reply
from responses.proposer_selectors import tell_commitments
from workflow import actions
from workflow.audit import ActionRefused
from workflow.models import Assignment
from workflow.roles import roles_of

from . import authentication
from .permissions import StaffOnly
from .serializers import (
    AssignmentSerializer,
    AssignSerializer,
    ContactsSerializer,
    FeedbackSerializer,
    NewProposalSerializer,
    ProposalDetailSerializer,
    ProposalSerializer,
    ProposerSerializer,
    PublicReplySerializer,
    ReplySerializer,
)

# An id in a URL is digits: anything else matches no route (404), never reaches a lookup.
ID = r"\d+"


def refusals(exc, context):
    """A verb's refusal is a conflict with the item's state: 409 and the verb's message."""
    if isinstance(exc, ActionRefused):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    return exception_handler(exc, context)


def int_param(request, name):
    """A query parameter as an int; anything but ASCII digits is a 400, never a 500."""
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if plain_int(value) is None:
        raise ValidationError({name: _("应为数字。")})
    return plain_int(value)


# ---- reads ----------------------------------------------------------------------------------
class ProposalViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """建议提案: the office's jurisdictions, or the items assigned to the user's units."""

    lookup_value_regex = ID
    permission_classes = [StaffOnly]
    serializer_class = ProposalSerializer

    def get_queryset(self):
        rows = textsearch.visible_items(roles_of(self.request)).select_related("session")
        rows = rows.prefetch_related(
            Prefetch("signatories", queryset=ProposalProposer.objects.select_related("proposer"))
        )
        if self.action == "retrieve":
            rows = rows.prefetch_related(
                Prefetch("assignments", queryset=Assignment.objects.select_related("unit"))
            )
        params = self.request.query_params
        if int_param(self.request, "session") is not None:
            rows = rows.filter(session_id=int_param(self.request, "session"))
        if params.get("state"):
            rows = rows.filter(state=params["state"])
        if params.get("kind"):
            rows = rows.filter(kind=params["kind"])
        if params.get("q"):
            wanted = textsearch.query_pieces(params["q"][:100])
            rows = rows.filter(bigrams.matches(Proposal, "search_grams", wanted))
        return rows.order_by("-received_at", "-id")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ProposalDetailSerializer
        if self.action == "create":
            return NewProposalSerializer
        return ProposalSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("session", int),
            OpenApiParameter("state", str),
            OpenApiParameter("kind", str),
            OpenApiParameter("q", str, description="关键词（中文全文检索）"),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=NewProposalSerializer, responses={201: ProposalDetailSerializer})
    def create(self, request, *args, **kwargs):
        incoming = NewProposalSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        for key in ("proposers", "proposer_details", "proposer_kind"):
            data.pop(key, None)
        with transaction.atomic():
            proposal = actions.receive_proposal(
                request.user, proposers=incoming.proposer_list(), channel=Channel.API, **data
            )
        return Response(self.described(proposal), status=status.HTTP_201_CREATED)

    def described(self, proposal):
        return ProposalDetailSerializer(self.get_queryset().get(pk=proposal.pk)).data

    def proposal(self, pk):
        return get_object_or_404(self.get_queryset(), pk=pk)

    @extend_schema(request=None, responses=ProposalDetailSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """审查 (提案 only)."""
        return Response(self.described(actions.start_review(self.proposal(pk), request.user)))

    @extend_schema(request=None, responses=ProposalDetailSerializer)
    @action(detail=True, methods=["post"], url_path="file")
    def file_proposal(self, request, pk=None):
        """立案."""
        return Response(self.described(actions.file_proposal(self.proposal(pk), request.user)))

    @extend_schema(request=AssignSerializer, responses=ProposalDetailSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """交办."""
        units = AssignSerializer(data=request.data)
        units.is_valid(raise_exception=True)
        proposal = self.proposal(pk)
        actions.assign_proposal(proposal, request.user, **units.validated_data)
        return Response(self.described(proposal))


class ProposerViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """提出人 with their contacts: the office's own jurisdictions only (units and the public
    see none). PATCH sets contacts through the same audited verb as the pages."""

    lookup_value_regex = ID
    permission_classes = [StaffOnly]
    serializer_class = ProposerSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        scope = roles_of(self.request).office_jurisdiction_ids
        rows = Proposer.objects.filter(jurisdiction_id__in=scope).order_by("name", "pk")
        if self.request.query_params.get("name"):
            rows = rows.filter(name=self.request.query_params["name"][:100])
        return rows

    @extend_schema(parameters=[OpenApiParameter("name", str, description="姓名（完全一致）")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ContactsSerializer, responses=ProposerSerializer)
    def partial_update(self, request, *args, **kwargs):
        incoming = ContactsSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        person = actions.update_proposer_contacts(
            request.user, self.get_object(), **incoming.validated_data
        )
        return Response(ProposerSerializer(person).data)


class AssignmentViewSet(viewsets.ReadOnlyModelViewSet):
    """交办: the unit's own, or all of the office's jurisdictions."""

    lookup_value_regex = ID
    permission_classes = [StaffOnly]
    serializer_class = AssignmentSerializer

    def get_queryset(self):
        rows = Assignment.objects.visible_to(roles_of(self.request)).select_related("unit")
        params = self.request.query_params
        if params.get("state") == "open":
            rows = rows.open()
        elif params.get("state"):
            rows = rows.filter(state=params["state"])
        if int_param(self.request, "unit") is not None:
            rows = rows.filter(unit_id=int_param(self.request, "unit"))
        if int_param(self.request, "session") is not None:
            rows = rows.filter(proposal__session_id=int_param(self.request, "session"))
        if params.get("overdue") in ("1", "true"):
            rows = rows.overdue()
        return rows.order_by("due_on", "id")

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, description="状态，或 open（未办结）"),
            OpenApiParameter("unit", int),
            OpenApiParameter("session", int, description="会次"),
            OpenApiParameter("overdue", bool),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """签收."""
        assignment = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(
            self.get_serializer(actions.accept_assignment(assignment, request.user)).data
        )


class ReplyViewSet(viewsets.ReadOnlyModelViewSet):
    """答复函 as the item page shows them: the drafting unit and the office see every state,
    the other handling units see sent ones; each with its commitments (承诺事项, read-only)."""

    lookup_value_regex = ID
    permission_classes = [StaffOnly]
    serializer_class = ReplySerializer

    def get_queryset(self):
        roles = roles_of(self.request)
        rows = Reply.objects.filter(assignment__proposal__in=textsearch.visible_items(roles))
        rows = rows.visible_to(roles).select_related("assignment__unit")
        commitments = Commitment.objects.select_related("unit").prefetch_related("notes")
        rows = rows.prefetch_related(
            Prefetch("commitments", queryset=commitments),
            "commitment_reports",  # what a follow-up reported: its own rows
        )
        return rows.order_by("-created_at", "-id")


class PublicReplyViewSet(viewsets.ReadOnlyModelViewSet):
    """公开答复: published replies only, for anyone; `q` searches them."""

    lookup_value_regex = ID
    permission_classes = [AllowAny]
    authentication_classes = []
    serializer_class = PublicReplySerializer

    def get_queryset(self):
        rows = selectors.public_queryset()
        q = (self.request.query_params.get("q") or "").strip()[:100]
        return textsearch.ranked_replies(rows, q) if q else rows.order_by("-published_at", "-id")

    def paginate_queryset(self, queryset):
        """A page of replies, with the commitments the public is told (one query a page)."""
        page = super().paginate_queryset(queryset)
        return page if page is None else tell_commitments(page, public=True)

    def get_object(self):
        return tell_commitments([super().get_object()], public=True)[0]

    @extend_schema(parameters=[OpenApiParameter("q", str, description="关键词")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class FeedbackView(APIView):
    """征询意见表: the proposer's rating, authorised by the token of the signed link."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        request=FeedbackSerializer,
        responses={
            201: inline_serializer("FeedbackSaved", {"id": serializers.IntegerField()}),
            400: None,
            409: None,
            410: None,
        },
    )
    def post(self, request):
        incoming = FeedbackSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        state = selectors.link_state(data["token"])
        if state["problem"]:
            return Response({"detail": state["problem"]}, status=state["status"])
        feedback = record_feedback(
            state["reply"],
            state["proposer"],
            handling=data["handling"],
            result=data["result"],
            comment=data["comment"],
            channel=Feedback.Channel.LINK,
        )
        return Response({"id": feedback.pk}, status=status.HTTP_201_CREATED)


# ---- the API token page -----------------------------------------------------------------------
@login_required
def api_token(request):
    """The signed-in user's API token: shown to its owner; POST issues a new one (the old one
    stops working at once)."""
    if request.method == "POST":
        rotate_api_token(request.user)
        messages.success(request, _("已生成新令牌，旧令牌已失效。"))
        return redirect("api-token")
    token = Token.objects.filter(user=request.user).first()
    expires = token and authentication.expires_at(token)
    expired = bool(expires and expires <= timezone.now())
    return render(
        request, "api/token.html", {"token": token, "expires": expires, "expired": expired}
    )
