"""网上提交: a proposer's own draft of an item (a CPPCC 提案 or a deputy's 建议), its co-signers
(联名/附议) and its attachments, before and after it enters the office's intake. Submitting
creates the item (proposals.Proposal, received, channel 线上提交), which the draft then
follows: the office's return for revision comes back to the draft, and the proposer's
resubmission revises the same item (same number, same log)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from proposals.models import Proposal, Proposer, Session

from ..uploads import EXTENSIONS, MEDIA_TYPES, FileKind
from .units import Unit


class FilingDraftState(models.TextChoices):
    DRAFTING = "drafting", _("起草中")
    AWAITING_COSIGNERS = "awaiting", _("待联名确认")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("退回修改")
    RESUBMITTED = "resubmitted", _("已重新提交")
    WITHDRAWN = "withdrawn", _("已撤回")


# The lead edits the text, units and attachments only while no one else is reading a
# version they must stand by: before co-signers are asked, and when the office returned it.
EDITABLE_DRAFT_STATES = (FilingDraftState.DRAFTING, FilingDraftState.RETURNED)
# With the office: the item exists and is the office's to review.
FILED_DRAFT_STATES = (FilingDraftState.SUBMITTED, FilingDraftState.RESUBMITTED)


def by_its_lead(draft, user):
    """Whoever acts for the lead proposer (their own account, or a group's named contact:
    Proposer.is_acted_for_by): only they write and file the draft."""
    return draft.lead.is_acted_for_by(user)


def follows_the_item(draft, user):
    """No person fires these: the office's return of the item (return_proposal) does."""
    return False


class FilingDraftQuerySet(models.QuerySet):
    def seen_by(self, user):
        """The drafts a proposer's account may read: those they lead, and those they were
        invited to co-sign (to see what they are asked to stand by)."""
        acting_for = Proposer.objects.acted_for_by(user).values("pk")
        invited = CoSignature.objects.filter(proposer__in=acting_for).values("draft_id")
        return self.filter(Q(lead__in=acting_for) | Q(pk__in=invited))

    def for_office(self, jurisdiction_ids):
        """What the office sees of online filing: drafts once submitted, never before."""
        return self.filter(
            session__jurisdiction_id__in=jurisdiction_ids, proposal__isnull=False
        ).exclude(state=FilingDraftState.WITHDRAWN)


class FilingDraft(ConcurrentTransitionMixin, models.Model):
    """A proposer's draft of an item filed online; `proposal` once it has been submitted."""

    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="filing_drafts", verbose_name=_("届次会议")
    )
    lead = models.ForeignKey(
        Proposer, on_delete=models.PROTECT, related_name="led_drafts", verbose_name=_("领衔人")
    )
    title = models.CharField(_("案由"), max_length=300)
    body = models.TextField(_("正文"), blank=True)
    suggested_units = models.ManyToManyField(
        Unit, blank=True, related_name="+", verbose_name=_("建议承办单位")
    )
    state = FSMField(
        _("状态"),
        max_length=12,
        choices=FilingDraftState.choices,
        default=FilingDraftState.DRAFTING,
        protected=True,
        db_index=True,
    )
    proposal = models.OneToOneField(
        Proposal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="filing_draft",
        verbose_name=_("登记的建议提案"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    # The office's comments when it returned the item for revision (the latest).
    return_comment = models.TextField(_("退回意见"), blank=True)

    objects = FilingDraftQuerySet.as_manager()

    class Meta:
        verbose_name = _("网上提交稿")
        verbose_name_plural = _("网上提交稿")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["drafting", "awaiting", "withdrawn"])
                | Q(proposal__isnull=False),
                name="filed_draft_has_item",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def kind(self):
        """提案 in a CPPCC session, 建议 in a people's congress: the session's body says."""
        return self.session.item_kind

    @property
    def is_editable(self):
        return self.state in EDITABLE_DRAFT_STATES

    # ---- transitions: set fields only ----------------------------------------------------
    @transition(
        field=state,
        source=FilingDraftState.DRAFTING,
        target=FilingDraftState.AWAITING_COSIGNERS,
        permission=by_its_lead,
    )
    def ask_cosigners(self):
        """联名: the co-signers are asked to confirm this text."""

    @transition(
        field=state,
        source=[FilingDraftState.DRAFTING, FilingDraftState.AWAITING_COSIGNERS],
        target=FilingDraftState.SUBMITTED,
        permission=by_its_lead,
    )
    def submit(self, proposal, at):
        self.proposal = proposal
        self.submitted_at = at

    @transition(
        field=state,
        source=list(FILED_DRAFT_STATES),
        target=FilingDraftState.RETURNED,
        permission=follows_the_item,
    )
    def return_for_revision(self, comment):
        self.return_comment = comment

    @transition(
        field=state,
        source=FilingDraftState.RETURNED,
        target=FilingDraftState.RESUBMITTED,
        permission=by_its_lead,
    )
    def resubmit(self, at):
        self.submitted_at = at

    @transition(
        field=state,
        source=[FilingDraftState.DRAFTING, FilingDraftState.AWAITING_COSIGNERS],
        target=FilingDraftState.WITHDRAWN,
        permission=by_its_lead,
    )
    def withdraw(self):
        """撤回: never filed; the co-signers' open invitations lapse."""


class CoSignatureState(models.TextChoices):
    INVITED = "invited", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    DECLINED = "declined", _("已谢绝")
    LAPSED = "lapsed", _("未确认")


def by_the_invited(cosignature, user):
    """Whoever acts for the invited proposer (Proposer.is_acted_for_by): only they answer."""
    return cosignature.proposer.is_acted_for_by(user)


def follows_the_draft(cosignature, user):
    """No person fires these: the draft's submission or withdrawal, or the deadline, does."""
    return False


class CoSignature(ConcurrentTransitionMixin, models.Model):
    """联名/附议: one proposer asked by the lead to sign the draft, in the lead's order
    (position 1 is the first after the lead), answering by `answer_by`. An invitation not
    answered by then counts as declined."""

    draft = models.ForeignKey(FilingDraft, on_delete=models.CASCADE, related_name="cosignatures")
    proposer = models.ForeignKey(
        Proposer, on_delete=models.PROTECT, related_name="cosignatures", verbose_name=_("联名人")
    )
    position = models.PositiveSmallIntegerField(_("顺序"))
    answer_by = models.DateTimeField(_("确认截止时间"))
    state = FSMField(
        _("状态"),
        max_length=10,
        choices=CoSignatureState.choices,
        default=CoSignatureState.INVITED,
        protected=True,
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("联名邀请")
        verbose_name_plural = _("联名邀请")
        ordering = ["draft_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["draft", "position"], name="cosigner_position_unique"),
            models.UniqueConstraint(fields=["draft", "proposer"], name="cosigner_once_per_draft"),
        ]

    def __str__(self):
        return f"{self.draft_id}#{self.position} {self.proposer_id}"

    def is_expired(self, now=None):
        return self.state == CoSignatureState.INVITED and (now or timezone.now()) > self.answer_by

    def is_open(self, now=None):
        """Still waiting for an answer: invited and within its time."""
        return self.state == CoSignatureState.INVITED and not self.is_expired(now)

    def answerable(self):
        return self.is_open()

    @transition(
        field=state,
        source=CoSignatureState.INVITED,
        target=CoSignatureState.CONFIRMED,
        conditions=[answerable],
        permission=by_the_invited,
    )
    def confirm(self, at):
        self.answered_at = at

    @transition(
        field=state,
        source=CoSignatureState.INVITED,
        target=CoSignatureState.DECLINED,
        conditions=[answerable],
        permission=by_the_invited,
    )
    def decline(self, at):
        self.answered_at = at

    @transition(
        field=state,
        source=CoSignatureState.INVITED,
        target=CoSignatureState.LAPSED,
        permission=follows_the_draft,
    )
    def lapse(self):
        """Unanswered when the draft was submitted or withdrawn, or past its time."""


def draft_attachment_path(instance, filename):
    # Never the uploader's file name on disk: it may be anything.
    return f"filing/{timezone.now():%Y/%m}/{instance.sha256[:32]}"


class DraftAttachment(models.Model):
    """A file filed with a draft (PDF, DOCX or image), checked as a letter's attachments are
    (workflow.uploads), served only through a view that checks who is asking."""

    draft = models.ForeignKey(FilingDraft, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=draft_attachment_path)
    name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=5, choices=FileKind.choices)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("提交稿附件")
        verbose_name_plural = _("提交稿附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.name

    @property
    def media_type(self):
        return MEDIA_TYPES[self.kind]

    @property
    def extension(self):
        return EXTENSIONS[self.kind]
