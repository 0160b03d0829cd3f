"""The API's serialisers: what each record shows and what each verb takes in. A proposer's
contact details show only through the office's own proposers (`ProposerSerializer`)."""

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from proposals.models import Proposal, Proposer, Session, kind_refusal
from proposals.untrusted import validate_one_line
from responses import textsearch
from responses.models import Rating, Reply
from workflow.forms import proposers_from_names, split_names
from workflow.models import Assignment, Unit
from workflow.proposer_contacts import (
    MAX_PROPOSERS,
    ProposerEntry,
    contact_problems,
    too_many_proposers,
)


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


class ProposerSerializer(serializers.ModelSerializer):
    """A proposer with their contacts: the office of their jurisdiction only."""

    channels = serializers.ListField(child=serializers.CharField(), read_only=True)
    has_contact = serializers.BooleanField(read_only=True)

    class Meta:
        model = Proposer
        fields = ["id", "name", "kind", "affiliation", "jurisdiction", "phone", "email"]
        fields += ["address", "preferred_channel", "channels", "has_contact"]
        read_only_fields = ["id", "name", "kind", "affiliation", "jurisdiction"]


class ContactsSerializer(serializers.Serializer):
    """更新联系方式: the fields sent are set (blank clears); the others stay."""

    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    preferred_channel = serializers.ChoiceField(
        choices=Proposer.Channel.choices, required=False, allow_blank=True
    )


class ProposerEntrySerializer(serializers.Serializer):
    """One proposer as typed at 登记, with contacts. When the jurisdiction has namesakes the
    office answers: `same_as` (an existing proposer's id) or `new_person`; without an
    answer the registration is refused (409) naming them."""

    name = serializers.CharField(max_length=100, validators=[validate_one_line])
    affiliation = serializers.CharField(max_length=100, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    preferred_channel = serializers.ChoiceField(
        choices=Proposer.Channel.choices, required=False, allow_blank=True
    )
    same_as = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    new_person = serializers.BooleanField(required=False, default=False)
    update_contacts = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        typed = {f: attrs.get(f, "") for f in ("phone", "email", "address", "preferred_channel")}
        problems = contact_problems(**typed)
        if problems:
            raise ValidationError(problems)
        return attrs


class NewProposalSerializer(serializers.Serializer):
    """登记: as the intake page takes it, the lead first: `proposer_details` (each with
    contacts), or `proposers`, names in one line (a namesake on record is reused)."""

    session = serializers.PrimaryKeyRelatedField(queryset=Session.objects.all())
    kind = serializers.ChoiceField(choices=Proposal.Kind.choices)
    number = serializers.CharField(max_length=20, validators=[validate_one_line])
    title = serializers.CharField(max_length=300, validators=[validate_one_line])
    body = serializers.CharField(required=False, allow_blank=True, default="")
    topic = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    is_key = serializers.BooleanField(required=False, default=False)
    proposers = serializers.CharField(
        max_length=500,
        help_text="章毅、张远波",
        required=False,
        validators=[validate_one_line],
    )
    proposer_details = ProposerEntrySerializer(many=True, required=False)
    proposer_kind = serializers.ChoiceField(choices=Proposer.Kind.choices)

    def validate(self, attrs):
        details = attrs.get("proposer_details") or []
        if len(details) > MAX_PROPOSERS:
            raise ValidationError({"proposer_details": too_many_proposers()})
        names = split_names(attrs.get("proposers", ""))
        if not details and len(names) > MAX_PROPOSERS:
            raise ValidationError({"proposers": too_many_proposers()})
        if not details and not names:
            raise ValidationError(_("至少需要一位提出人（第一位为领衔人）。"))
        refusal = kind_refusal(attrs["kind"], attrs["session"], attrs["proposer_kind"])
        if refusal:
            raise ValidationError(refusal)
        return attrs

    def proposer_list(self):
        """What receive_proposal takes: entries with contacts, or (name, kind) pairs."""
        data = self.validated_data
        kind = data["proposer_kind"]
        if data.get("proposer_details"):
            return [ProposerEntry(kind=kind, **entry) for entry in data["proposer_details"]]
        return proposers_from_names(data["proposers"], kind)


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
