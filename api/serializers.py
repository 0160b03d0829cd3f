"""The API's serialisers: what each record shows (never a proposer's contact details) and
what each verb takes in."""

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from proposals.models import Proposal, Proposer, Session
from responses import textsearch
from responses.models import Rating, Reply
from workflow.forms import split_names
from workflow.models import Assignment, Unit


class AssignmentSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.name")
    proposal = serializers.IntegerField(source="proposal_id")

    class Meta:
        model = Assignment
        fields = ["id", "proposal", "unit", "unit_id", "role", "state", "round", "assigned_at"]
        fields += ["accepted_at", "due_on"]


class ProposalSerializer(serializers.ModelSerializer):
    session = serializers.CharField(source="session.name")
    proposers = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = ["id", "session", "session_id", "kind", "number", "title", "body", "topic"]
        fields += ["is_key", "state", "round", "received_at", "proposers"]

    def get_proposers(self, proposal) -> list[str]:
        return [s.proposer.name for s in proposal.signatories.all()]


class ProposalDetailSerializer(ProposalSerializer):
    assignments = AssignmentSerializer(many=True, read_only=True)

    class Meta(ProposalSerializer.Meta):
        fields = [*ProposalSerializer.Meta.fields, "assignments"]


class NewProposalSerializer(serializers.Serializer):
    """登记: as the intake page takes it; proposers by name, the lead first."""

    session = serializers.PrimaryKeyRelatedField(queryset=Session.objects.all())
    kind = serializers.ChoiceField(choices=Proposal.Kind.choices)
    number = serializers.CharField(max_length=20)
    title = serializers.CharField(max_length=300)
    body = serializers.CharField(required=False, allow_blank=True, default="")
    topic = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    is_key = serializers.BooleanField(required=False, default=False)
    proposers = serializers.CharField(max_length=500, help_text="章毅、张远波")
    proposer_kind = serializers.ChoiceField(choices=Proposer.Kind.choices)

    def validate_proposers(self, value):
        if not split_names(value):
            raise ValidationError(_("至少需要一位提出人（第一位为领衔人）。"))
        return value


class AssignSerializer(serializers.Serializer):
    """交办: a lead with co-handlers, or separate handlers."""

    lead = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False)
    co = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), many=True, default=[])
    separate = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), many=True, default=[]
    )


class ReplySerializer(serializers.ModelSerializer):
    proposal = serializers.IntegerField(source="assignment.proposal_id")
    unit = serializers.CharField(source="assignment.unit.name")

    class Meta:
        model = Reply
        fields = ["id", "proposal", "unit", "round", "kind", "state", "title", "doc_number"]
        fields += ["class_label", "result_bucket", "disclosure", "body", "sent_at"]
        fields += ["published_at"]


class PublicReplySerializer(serializers.ModelSerializer):
    """What the public site shows: the summary instead of the text for 摘要 replies."""

    unit = serializers.CharField(source="assignment.unit.name")
    proposal_title = serializers.CharField(source="assignment.proposal.title")
    text = serializers.SerializerMethodField()

    class Meta:
        model = Reply
        fields = ["id", "title", "proposal_title", "doc_number", "unit", "class_label"]
        fields += ["result_bucket", "published_at", "text"]

    def get_text(self, reply) -> str:
        return textsearch.public_text(reply)


class FeedbackSerializer(serializers.Serializer):
    """征询意见表 through the signed link's token: no account needed."""

    token = serializers.CharField(max_length=200)
    handling = serializers.ChoiceField(choices=Rating.choices)
    result = serializers.ChoiceField(choices=Rating.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
