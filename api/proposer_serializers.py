"""What the proposers' API (/api/me/) shows: an item's course as the proposer's own pages
show it (responses.proposer_selectors), never a draft, another's contacts or an opinion."""

from rest_framework import serializers

from responses.models import Rating
from workflow.models import CoSignature

from .serializers import ToldCommitmentSerializer


class UnitRoleSerializer(serializers.Serializer):
    unit = serializers.CharField(source="unit.name")
    role = serializers.CharField()
    role_label = serializers.CharField(source="get_role_display")
    due_on = serializers.DateField()


class PromisesKeptSerializer(serializers.Serializer):
    """An item's commitments in numbers (responses.proposer_selectors.promises_kept)."""

    made = serializers.IntegerField(help_text="confirmed commitments of its sent replies")
    delivered = serializers.IntegerField()
    overdue = serializers.IntegerField(help_text="still open after their due date")


class MyItemSerializer(serializers.Serializer):
    """One of 我的提案/建议: lead or co-signer, where it stands, which units handle it."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()
    state = serializers.CharField()
    stands = serializers.CharField(help_text="where the item stands, in a proposer's words")
    received_at = serializers.DateTimeField()
    my_part = serializers.SerializerMethodField(help_text="lead (领衔) or cosigner (联名)")
    units = UnitRoleSerializer(source="assignments.all", many=True)
    promises = PromisesKeptSerializer(help_text="its commitments (承诺事项) and how many were kept")

    def get_my_part(self, item) -> str:
        first = min(item.signatories.all(), key=lambda s: s.position)
        return "lead" if first.proposer_id == self.context["proposer"].pk else "cosigner"


class MyFeedbackSerializer(serializers.Serializer):
    handling = serializers.CharField(source="handling_rating")
    result = serializers.CharField(source="result_rating")
    comment = serializers.CharField()
    received_at = serializers.DateTimeField()


class MyReplySerializer(serializers.Serializer):
    """A reply or follow-up reply as sent to the proposer, with their own rating of it, the
    commitments it made and, for a follow-up reply, those it reported."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    round = serializers.IntegerField()
    unit = serializers.CharField(source="assignment.unit.name")
    doc_number = serializers.CharField()
    title = serializers.CharField()
    class_label = serializers.CharField()
    sent_at = serializers.DateTimeField()
    my_feedback = MyFeedbackSerializer(allow_null=True)
    rateable = serializers.BooleanField(help_text="whether this proposer may still rate it")
    commitments = ToldCommitmentSerializer(source="told_commitments", many=True, read_only=True)
    reported = ToldCommitmentSerializer(
        source="told_reports",
        many=True,
        read_only=True,
        help_text="a follow-up reply's report: the commitments it delivered or partly delivered",
    )


class ExtensionSerializer(serializers.Serializer):
    unit = serializers.CharField(source="assignment.unit.name")
    previous_due = serializers.DateField()
    requested_due = serializers.DateField()
    reason = serializers.CharField()


class MyContactSerializer(serializers.Serializer):
    unit = serializers.CharField(source="assignment.unit.name")
    contacted_on = serializers.DateField()
    method = serializers.CharField(source="get_method_display")


class CourseSerializer(serializers.Serializer):
    """An item's course, as the proposer's item page shows it."""

    stands = serializers.CharField()
    not_filed_reason = serializers.CharField()
    names = serializers.ListField(child=serializers.CharField(), help_text="the proposers")
    assignments = UnitRoleSerializer(many=True)
    contacts = MyContactSerializer(many=True, help_text="the units' contacts with this proposer")
    extensions = ExtensionSerializer(many=True)
    replies = MyReplySerializer(many=True)


class MyItemDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()
    state = serializers.CharField()
    received_at = serializers.DateTimeField()
    course = CourseSerializer()


class MyRatingSerializer(serializers.Serializer):
    """征询意见表: the proposer's two ratings of a reply, and a comment."""

    handling = serializers.ChoiceField(choices=Rating.choices)
    result = serializers.ChoiceField(choices=Rating.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class InvitationSerializer(serializers.ModelSerializer):
    """联名邀请: a lead proposer asked this proposer to co-sign their draft."""

    title = serializers.CharField(source="draft.title")
    lead = serializers.CharField(source="draft.lead.name")
    session = serializers.CharField(source="draft.session")
    open = serializers.BooleanField(source="is_open")

    class Meta:
        model = CoSignature
        fields = ["id", "title", "lead", "session", "answer_by", "state", "answered_at", "open"]
