"""The API's serialisers: what each record shows and what each verb takes in. A proposer's
contact details show only through the office's own proposers (`ProposerSerializer`)."""

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from proposals.models import Proposal, Proposer, Session, kind_refusal
from proposals.untrusted import validate_one_line
from responses import textsearch
from responses.models import Commitment, CommitmentNote, Rating, Reply
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


class CommitmentNoteSerializer(serializers.ModelSerializer):
    """进展: a unit's note on how a commitment is going (the staff's, never a proposer's)."""

    class Meta:
        model = CommitmentNote
        fields = ["text", "created_at"]


class CommitmentSerializer(serializers.ModelSerializer):
    """承诺事项 of a reply, read-only: what, by which unit, by when, how it stands; the
    candidates of a draft too (state `candidate`), and the units' progress notes."""

    unit = serializers.CharField(source="unit.name")
    state_label = serializers.CharField(source="get_state_display")
    on_time = serializers.SerializerMethodField(
        help_text="delivered by its due date; null until delivered"
    )
    notes = CommitmentNoteSerializer(many=True, read_only=True)

    class Meta:
        model = Commitment
        fields = ["id", "unit", "what", "source_text", "due_kind", "promised_on", "due_on"]
        fields += ["state", "state_label", "delivered_on", "on_time", "outcome"]
        fields += ["outcome_note", "follow_up", "drop_reason", "notes"]
        read_only_fields = fields

    def get_on_time(self, commitment) -> bool | None:
        return commitment.delivered_on_time() if commitment.delivered_on else None


class ReplySerializer(serializers.ModelSerializer):
    proposal = serializers.IntegerField(source="assignment.proposal_id")
    unit = serializers.CharField(source="assignment.unit.name")
    commitments = CommitmentSerializer(many=True, read_only=True)
    reported = serializers.SlugRelatedField(
        source="commitment_reports",
        slug_field="commitment_id",
        many=True,
        read_only=True,
        help_text="a follow-up reply's: the commitments it reports",
    )

    class Meta:
        model = Reply
        fields = ["id", "proposal", "unit", "round", "kind", "state", "title", "doc_number"]
        fields += ["class_label", "result_bucket", "disclosure", "body", "sent_at"]
        fields += ["published_at", "commitments", "reported"]


class ToldCommitmentSerializer(serializers.Serializer):
    """承诺事项: a commitment as a proposer (or, of a published reply, the public) is told it
    (responses.proposer_selectors.tell_commitments): a drop the office has not decided is
    still open; the public is not told the reason of a drop."""

    id = serializers.IntegerField()
    what = serializers.CharField()
    unit = serializers.CharField(help_text="the unit that will deliver it")
    due_on = serializers.DateField()
    state = serializers.ChoiceField(
        choices=["open", "delivered", "partly", "dropped"],
        help_text="open (落实中), delivered (已落实), partly (部分落实) or dropped (已撤销)",
    )
    state_label = serializers.CharField()
    delivered_on = serializers.DateField(allow_null=True)
    on_time = serializers.BooleanField(
        allow_null=True, help_text="delivered by its due date; null until delivered"
    )
    overdue = serializers.BooleanField(help_text="still open after its due date")
    drop_reason = serializers.CharField(help_text="why it was dropped, once the office approved")
    note = serializers.CharField(help_text="what the follow-up reply that reported it said")
    follow_up = serializers.IntegerField(
        source="follow_up_id", allow_null=True, help_text="the follow-up reply that reported it"
    )


class PublicReplySerializer(serializers.ModelSerializer):
    """What the public site shows: the summary instead of the text for 摘要 replies."""

    unit = serializers.CharField(source="assignment.unit.name")
    proposal_title = serializers.CharField(source="assignment.proposal.title")
    text = serializers.SerializerMethodField()
    commitments = ToldCommitmentSerializer(source="told_commitments", many=True, read_only=True)
    reported = ToldCommitmentSerializer(
        source="told_reports",
        many=True,
        read_only=True,
        help_text="a follow-up reply's report: the commitments it delivered or partly delivered",
    )

    class Meta:
        model = Reply
        fields = ["id", "kind", "title", "proposal_title", "doc_number", "unit", "class_label"]
        fields += ["result_bucket", "published_at", "text", "commitments", "reported"]

    def get_text(self, reply) -> str:
        return textsearch.public_text(reply)


class FeedbackSerializer(serializers.Serializer):
    """征询意见表 through the signed link's token: no account needed."""

    token = serializers.CharField(max_length=200)
    handling = serializers.ChoiceField(choices=Rating.choices)
    result = serializers.ChoiceField(choices=Rating.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
