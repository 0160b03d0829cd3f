"""The letters a unit writes (答复函 to proposers, 会办意见函 to the lead unit), the
proposers' feedback, and the documents letters cite (DOMAIN.md §2, §5, §6).

Both kinds of letter share one state machine, defined once on `Letter`.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from proposals.classification import Bucket
from proposals.models import Proposer
from workflow import deadlines
from workflow.models import Assignment, AssignmentState, Unit
from workflow.permissions import (
    done_by_the_worker,
    is_office_for,
    is_unit_member,
    is_unit_member_or_office,
)


class LetterState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待签发")
    RETURNED = "returned", _("退回修改")
    SIGNED = "signed", _("已签发")
    SENT = "sent", _("已发出")
    PUBLISHED = "published", _("已公开")
    WITHHELD = "withheld", _("不公开")


# One set per meaning; pages, the API, search, statistics, tasks and verbs ask these (or the
# LetterQuerySet methods below) rather than listing states again.
EDITABLE_STATES = frozenset({LetterState.DRAFT, LetterState.RETURNED})
# In the unit leader's queue: waiting to be signed, or signed and waiting to be sent.
QUEUED_STATES = frozenset({LetterState.SUBMITTED, LetterState.SIGNED})
# Sent: the letter has left its unit (numbered, frozen); published or withheld stay sent.
SENT_STATES = frozenset({LetterState.SENT, LetterState.PUBLISHED, LetterState.WITHHELD})
# The database constraints' form of EDITABLE_STATES (a list, in the order the migrations hold).
EDITABLE_LETTER_STATES = sorted(EDITABLE_STATES)


class Disclosure(models.TextChoices):
    FULL = "full", _("主动公开·全文")
    SUMMARY = "summary", _("主动公开·摘要")
    ON_REQUEST = "on_request", _("依申请公开")
    WITHHELD = "withheld", _("不予公开")


PUBLISHED_DISCLOSURES = [Disclosure.FULL, Disclosure.SUMMARY]


class WithholdingReason(models.TextChoices):
    STATE_SECRET = "state_secret", _("涉及国家秘密")
    COMMERCIAL_SECRET = "commercial_secret", _("涉及商业秘密")
    PRIVACY = "privacy", _("涉及个人隐私")
    SECURITY = "security", _("危及安全稳定")
    INTERNAL = "internal", _("内部事务或过程性信息")


def is_unit_leader(letter, user):
    return bool(
        user
        and user.is_authenticated
        and user.unit_memberships.filter(unit_id=letter.assignment.unit_id, role="leader").exists()
    )


def may_sign_letter(letter, user):
    """签发: a leader of the unit who wrote none of the letter (four eyes)."""
    return letter.may_sign(user)


class Letter(ConcurrentTransitionMixin, models.Model):
    """Every element of an official letter (GB/T 9704 as practised), and its state."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="+")
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    state = FSMField(
        _("状态"),
        max_length=10,
        choices=LetterState.choices,
        default=LetterState.DRAFT,
        protected=True,
        db_index=True,
    )
    # Head
    signing_organ = models.CharField(_("发文机关"), max_length=100)
    doc_number = models.CharField(_("发文字号"), max_length=50, blank=True)
    show_signer = models.BooleanField(_("标注签发人"), default=False)
    signer_name = models.CharField(_("签发人姓名"), max_length=50, blank=True)
    class_label = models.CharField(_("办理结果类别"), max_length=10, blank=True)
    result_bucket = models.CharField(
        _("结果归类"), max_length=12, choices=Bucket.choices, blank=True
    )
    # Body
    title = models.CharField(_("标题"), max_length=300)
    addressee = models.CharField(_("主送"), max_length=300)
    body = models.TextField(_("正文"), blank=True)
    letter_date = models.DateField(_("成文日期"), null=True, blank=True)
    # Notes (附注)
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=50, blank=True)
    contact_office = models.CharField(_("联系处室"), max_length=50, blank=True)
    contact_address = models.CharField(_("联系地址"), max_length=200, blank=True)
    contact_postcode = models.CharField(_("邮政编码"), max_length=10, blank=True)
    # Disclosure (公开属性), decided with the letter at sign-off
    disclosure = models.CharField(
        _("公开属性"), max_length=12, choices=Disclosure.choices, default=Disclosure.FULL
    )
    withheld_reason = models.CharField(
        _("不予公开理由"), max_length=20, choices=WithholdingReason.choices, blank=True
    )
    summary = models.TextField(_("公开摘要"), blank=True)
    # Record block (版记)
    cc = models.TextField(_("抄送"), blank=True, help_text=_("每行一个单位。"))
    issued_by = models.CharField(_("印发机关"), max_length=100, blank=True)
    issued_on = models.DateField(_("印发日期"), null=True, blank=True)
    # Who and when
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("拟稿人"),
    )
    # Everyone else who wrote any of its content since it was started (saved a change,
    # applied a template, attached a file, sent it up for signature): with the drafter, the
    # people who may never sign it. See author_ids.
    contributors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("撰写人"),
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签发人"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("送审时间"), null=True, blank=True)
    signed_at = models.DateTimeField(_("签发时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发出时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    review_comment = models.TextField(_("退回意见"), blank=True)

    class Meta:
        abstract = True

    @property
    def cc_list(self):
        return [line.strip() for line in self.cc.splitlines() if line.strip()]

    @property
    def is_editable(self):
        return self.state in EDITABLE_STATES

    @property
    def is_sent(self):
        return self.state in SENT_STATES

    def is_handled_by(self, roles, jurisdiction_id):
        """`handled_by` for one letter in hand: the drafting unit, or the office of
        `jurisdiction_id` (the item's, which is its unit's). They may open it in any state."""
        return roles.in_unit(self.assignment.unit_id) or roles.is_office_for(jurisdiction_id)

    def is_visible_to(self, roles, jurisdiction_id):
        """LetterQuerySet.visible_to for one letter in hand: the office and the drafting unit
        see every state, other units once it is sent."""
        return self.is_handled_by(roles, jurisdiction_id) or self.is_sent

    @property
    def is_public(self):
        return self.state == LetterState.PUBLISHED

    # ---- conditions: pure predicates; the *_blockers lists say which rule failed ------
    def disclosure_blockers(self):
        problems = []
        if self.disclosure == Disclosure.WITHHELD and not self.withheld_reason:
            problems.append(_("选择“不予公开”时必须说明理由。"))
        if self.disclosure == Disclosure.SUMMARY and not self.summary.strip():
            problems.append(_("选择“主动公开·摘要”时必须填写公开摘要。"))
        return problems

    def submit_blockers(self):
        problems = []
        if not self.title.strip() or not self.addressee.strip() or not self.body.strip():
            problems.append(_("标题、主送和正文不能为空。"))
        return problems + self.disclosure_blockers()

    def sign_blockers(self):
        problems = self.disclosure_blockers()
        if self.letter_date and self.letter_date > timezone.localdate():
            problems.append(_("成文日期晚于今天。"))
        return problems

    def preflight(self, today=None):
        """What is wrong or missing before sign-off: ("block", …) stops it, ("warn", …) is
        shown to the drafter and the leader."""
        problems = [("block", p) for p in self.sign_blockers()]
        if not self.contact_phone or not (self.contact_person or self.contact_office):
            problems.append(("warn", _("附注联系人或联系电话不完整。")))
        if not self.cc_list:
            problems.append(("warn", _("抄送栏为空。")))
        return problems

    def may_submit(self):
        return not self.submit_blockers()

    def ready_to_sign(self):
        return not self.sign_blockers()

    # ---- four eyes: the one home of who may sign ----------------------------------------
    def author_ids(self):
        """Whoever wrote any of this letter since it was started: its drafter and everyone
        recorded as a contributor (every verb that writes content or sends it up records its
        actor). Kept for the letter's whole life, across 退回修改 and later submissions: text a
        leader wrote in an earlier round may still be in what is submitted now."""
        ids = {self.drafted_by_id}
        if self.pk is not None:
            ids.update(user.pk for user in self.contributors.all())  # prefetched on lists
        return ids

    def record_author(self, user):
        """Called by the verbs that write content (save_letter when something changed,
        apply_template, attach_file, submit_letter)."""
        if user.pk not in self.author_ids():
            self.contributors.add(user)

    def four_eyes_refusal(self, user):
        """Why `user`, a leader of the unit, may not sign this letter, or None."""
        if user.pk in self.author_ids():
            return _(
                "您起草、修改或送审过该函，不能签发自己撰写的函件（四眼原则），"
                "请由本单位其他领导签发。"
            )
        return None

    def sign_refusal(self, user):
        """Why `user`, a leader of the unit, cannot sign this letter now, or None: the page
        shows this instead of the sign buttons, so it offers what the verb accepts."""
        if refusal := self.four_eyes_refusal(user):
            return refusal
        if self.sign_blockers():
            return _("尚有未满足的签发条件（见上方✗），请退回修改。")
        return None

    def may_sign(self, user):
        """签发 is for a leader of the letter's unit who wrote none of it."""
        return is_unit_leader(self, user) and self.four_eyes_refusal(user) is None

    def publication_due(self, rules, cal):
        """The last day the rule allows before a sent letter must be public."""
        return deadlines.publication_due(timezone.localdate(self.sent_at), rules, cal)

    def discloses(self):
        return self.disclosure in PUBLISHED_DISCLOSURES

    def keeps_private(self):
        return self.disclosure not in PUBLISHED_DISCLOSURES

    # ---- transitions -------------------------------------------------------------------
    @transition(
        field=state,
        source=[LetterState.DRAFT, LetterState.RETURNED],
        target=LetterState.SUBMITTED,
        conditions=[may_submit],
        permission=is_unit_member,
    )
    def submit(self, at):
        self.submitted_at = at

    @transition(
        field=state,
        source=LetterState.SUBMITTED,
        target=LetterState.RETURNED,
        permission=is_unit_leader,
    )
    def return_for_revision(self, comment):
        self.review_comment = comment

    @transition(
        field=state,
        source=LetterState.SUBMITTED,
        target=LetterState.SIGNED,
        conditions=[ready_to_sign],
        permission=may_sign_letter,
    )
    def sign(self, signer, at):
        self.signer = signer
        self.signed_at = at
        if not self.signer_name:
            self.signer_name = str(signer)

    @transition(
        field=state,
        source=LetterState.SIGNED,
        target=LetterState.SENT,
        permission=is_unit_member,
    )
    def send(self, doc_number, at):
        """Fixes the number and the date; the content is frozen from here on."""
        self.doc_number = doc_number
        self.sent_at = at
        if self.letter_date is None:
            self.letter_date = timezone.localdate(at)
        if self.issued_on is None:
            self.issued_on = self.letter_date

    @transition(
        field=state,
        source=LetterState.SENT,
        target=LetterState.PUBLISHED,
        conditions=[discloses],
        permission=is_unit_member_or_office,
    )
    def publish(self, at):
        self.published_at = at

    @transition(
        field=state,
        source=LetterState.SENT,
        target=LetterState.WITHHELD,
        conditions=[keeps_private],
        permission=is_unit_member_or_office,
    )
    def withhold(self):
        pass

    @transition(
        field=state,
        source=LetterState.PUBLISHED,
        target=LetterState.WITHHELD,
        permission=is_office_for,
    )
    def withdraw(self):
        """撤回公开: the office takes a published letter off the public site."""
        self.published_at = None


def handled_by(roles):
    """Letters of the person's own units, and of every unit in their offices' jurisdictions:
    these they may read in any state. None when they have neither."""
    mine = None
    if roles.unit_ids:
        mine = Q(assignment__unit_id__in=roles.unit_ids)
    if roles.office_jurisdiction_ids:
        theirs = Q(assignment__unit__jurisdiction_id__in=roles.office_jurisdiction_ids)
        mine = theirs if mine is None else mine | theirs
    return mine


class LetterQuerySet(models.QuerySet):
    """The reads of both kinds of letter (Reply and Opinion share it)."""

    def for_unit(self, unit):
        return self.filter(assignment__unit=unit)

    def queued(self):
        """In the unit leader's queue (QUEUED_STATES)."""
        return self.filter(state__in=QUEUED_STATES)

    def sent(self):
        """Left the unit (SENT_STATES): sent, published or withheld."""
        return self.filter(state__in=SENT_STATES)

    def published(self):
        return self.filter(state=LetterState.PUBLISHED)

    def visible_to(self, roles):
        """Who may see a letter: the drafting unit and the office see every state, everyone
        else once it is sent (Letter.is_visible_to is the same rule for one letter)."""
        mine = handled_by(roles)
        sent = Q(state__in=SENT_STATES)
        return self.filter(sent if mine is None else mine | sent)

    def citable_for(self, roles):
        """The letters shown beside similar items, whose own page the person may not open:
        published ones for anyone, and the sent ones of their own units and offices."""
        mine = handled_by(roles)
        readable = Q(state=LetterState.PUBLISHED)
        if mine is not None:
            readable |= mine & Q(state__in=SENT_STATES)
        return self.filter(readable)


class Reply(Letter):
    """答复函: the letter to the proposers, from a lead or separate unit, per round."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("答复")
        FOLLOW_UP = "follow_up", _("跟踪办理答复")

    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="replies", verbose_name=_("交办")
    )
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, default=Kind.REPLY)
    # Search pieces of what the public may read (titles and the published text or summary),
    # written when the reply is published; GIN-indexed on PostgreSQL.
    search_grams = models.TextField(blank=True, editable=False)
    # The pieces of its title and its item's title: search ranks a hit in a title first
    # without joining every hit to its item.
    title_grams = models.TextField(blank=True, editable=False)
    # The lead may reply once the co-handlers' opinion deadline has passed without their
    # opinion; that is recorded here and on the timeline.
    proceeded_without_opinions = models.BooleanField(_("会办意见逾期未到即答复"), default=False)
    references = models.ManyToManyField(
        "ReferenceDocument", blank=True, related_name="replies", verbose_name=_("引用文件")
    )

    objects = LetterQuerySet.as_manager()

    class Meta:
        verbose_name = _("答复函")
        verbose_name_plural = _("答复函")
        ordering = ["-created_at"]
        indexes = [
            # The public list, newest first, walks this instead of sorting every published reply.
            models.Index(
                F("published_at").desc(),
                F("id").desc(),
                condition=Q(state=LetterState.PUBLISHED),
                name="reply_published_newest",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "round"],
                condition=Q(kind="reply"),
                name="reply_once_per_round",
            ),
            # Drafts may be incomplete; nothing leaves the drafter without these.
            models.CheckConstraint(
                condition=Q(state__in=EDITABLE_LETTER_STATES)
                | ~Q(disclosure="withheld")
                | ~Q(withheld_reason=""),
                name="reply_withheld_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(state__in=EDITABLE_LETTER_STATES)
                | ~Q(disclosure="summary")
                | ~Q(summary=""),
                name="reply_summary_present",
            ),
        ]

    def __str__(self):
        return self.doc_number or self.title

    def outstanding_opinions(self):
        """Co-handler assignments of this item whose opinion has not arrived."""
        return Assignment.objects.filter(
            proposal_id=self.assignment.proposal_id,
            role=Assignment.Role.CO,
            state__in=[AssignmentState.PENDING, AssignmentState.ACCEPTED],
        )

    def blocking_opinions(self, today=None):
        """Outstanding opinions still within their deadline: the lead must wait for them."""
        today = today or timezone.localdate()
        return self.outstanding_opinions().filter(due_on__gte=today)

    def contact_recorded(self):
        return self.assignment.contacts.exists()

    def submit_blockers(self):
        problems = super().submit_blockers()
        if not self.class_label:
            problems.append(_("请选择办理结果类别。"))
        if self.kind == self.Kind.REPLY and self.assignment.role == Assignment.Role.LEAD:
            waiting = [str(a.unit) for a in self.blocking_opinions().select_related("unit")]
            if waiting:
                problems.append(
                    _(
                        "会办单位意见尚未送达且未逾期：%(units)s。请等待会办意见或至会办期限后再提交。"
                    )
                    % {"units": "、".join(waiting)}
                )
        return problems

    def preflight(self, today=None):
        problems = super().preflight(today)
        proposal = self.assignment.proposal
        names = [s.proposer.name for s in proposal.signatories.all()][:3]  # prefetched on lists
        if names and not all(name in self.addressee for name in names):
            problems.append(
                ("warn", _("主送与提出人不一致：应为%(names)s。") % {"names": "、".join(names)})
            )
        if proposal.title not in self.body and f"第{proposal.number}号" not in self.body:
            problems.append(("warn", _("正文未提及所答复的建议提案（案由或案号）。")))
        return problems

    def sign_blockers(self):
        problems = super().sign_blockers()
        if not self.class_label:
            problems.append(_("请选择办理结果类别。"))
        jurisdiction = self.assignment.proposal.session.jurisdiction
        if jurisdiction.contact_required and not self.contact_recorded():
            problems.append(_("签发前须至少记录一次与提出人的沟通（办前面商）。"))
        return problems


class Opinion(Letter):
    """会办意见函: a co-handler's written opinion to the lead unit (seed 003)."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="opinions", verbose_name=_("交办")
    )
    lead_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="received_opinions", verbose_name=_("主办单位")
    )

    objects = LetterQuerySet.as_manager()

    class Meta:
        verbose_name = _("会办意见")
        verbose_name_plural = _("会办意见")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "round"], name="opinion_once_per_round"),
            # Drafts may be incomplete; nothing leaves the drafter without these.
            models.CheckConstraint(
                condition=Q(state__in=EDITABLE_LETTER_STATES)
                | ~Q(disclosure="withheld")
                | ~Q(withheld_reason=""),
                name="opinion_withheld_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(state__in=EDITABLE_LETTER_STATES)
                | ~Q(disclosure="summary")
                | ~Q(summary=""),
                name="opinion_summary_present",
            ),
        ]

    def __str__(self):
        return self.doc_number or self.title


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class Feedback(models.Model):
    """征询意见表: one proposer's rating of one reply, on two axes."""

    class Channel(models.TextChoices):
        LINK = "link", _("网上反馈")
        PAPER = "paper", _("纸质表录入")

    reply = models.ForeignKey(Reply, on_delete=models.PROTECT, related_name="feedback")
    proposer = models.ForeignKey(Proposer, on_delete=models.PROTECT, related_name="feedback")
    handling_rating = models.CharField(_("对办理工作"), max_length=12, choices=Rating.choices)
    result_rating = models.CharField(_("对办理结果"), max_length=12, choices=Rating.choices)
    comment = models.TextField(_("意见建议"), blank=True)
    received_at = models.DateTimeField(_("反馈时间"), default=timezone.now)
    channel = models.CharField(_("方式"), max_length=10, choices=Channel.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("录入人"),
    )

    class Meta:
        verbose_name = _("征询意见")
        verbose_name_plural = _("征询意见")
        ordering = ["received_at"]
        constraints = [
            models.UniqueConstraint(fields=["reply", "proposer"], name="feedback_once_per_reply"),
        ]

    def __str__(self):
        return f"{self.proposer} · {self.get_result_rating_display()}"

    @property
    def is_unsatisfied(self):
        return Rating.UNSATISFIED in (self.handling_rating, self.result_rating)


class ReferenceDocument(models.Model):
    """A policy document replies cite (seed 001, 沪科合〔2022〕29号): not a reply itself."""

    title = models.CharField(_("标题"), max_length=300)
    doc_number = models.CharField(_("文号"), max_length=50, blank=True)
    issuer = models.CharField(_("发文机关"), max_length=200, blank=True)
    issued_on = models.DateField(_("发文日期"), null=True, blank=True)
    body = models.TextField(_("正文"), blank=True)

    class Meta:
        verbose_name = _("引用文件")
        verbose_name_plural = _("引用文件")

    def __str__(self):
        return f"{self.title}（{self.doc_number}）" if self.doc_number else self.title


class DocumentCounter(models.Model):
    """The last number issued per unit, series and year: a number is never reused."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    series = models.CharField(_("文种代字"), max_length=20)
    year = models.PositiveSmallIntegerField(_("年份"))
    last_number = models.PositiveIntegerField(_("已用至"), default=0)

    class Meta:
        verbose_name = _("发文字号计数")
        verbose_name_plural = _("发文字号计数")
        constraints = [
            models.UniqueConstraint(fields=["unit", "series", "year"], name="counter_unique"),
        ]

    def __str__(self):
        return f"{self.unit.organ_code}{self.series}〔{self.year}〕{self.last_number}"


class LetterRevision(models.Model):
    """What a letter said each time it went to the leader, so the leader sees what changed."""

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, null=True, related_name="revisions")
    opinion = models.ForeignKey(
        Opinion, on_delete=models.CASCADE, null=True, related_name="revisions"
    )
    number = models.PositiveSmallIntegerField()
    content = models.JSONField()
    submitted_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reply__isnull=True) ^ Q(opinion__isnull=True),
                name="revision_of_one_letter",
            ),
            models.UniqueConstraint(fields=["reply", "number"], name="revision_reply_number"),
            models.UniqueConstraint(fields=["opinion", "number"], name="revision_opinion_number"),
        ]

    def __str__(self):
        return f"#{self.number} {self.submitted_at:%Y-%m-%d %H:%M}"


def attachment_path(instance, filename):
    # Never the uploader's file name on disk: it may be anything.
    return f"attachments/{timezone.now():%Y/%m}/{instance.sha256[:32]}"


class Attachment(models.Model):
    """A file sent with a letter (PDF, DOCX or image), kept outside the web root and served
    only through a view that checks who is asking."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "DOCX"
        PNG = "png", "PNG"
        JPEG = "jpeg", "JPEG"

    reply = models.ForeignKey(
        Reply, on_delete=models.CASCADE, null=True, related_name="attachments"
    )
    opinion = models.ForeignKey(
        Opinion, on_delete=models.CASCADE, null=True, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path)
    name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=5, choices=Kind.choices)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    # What a file is served as, by the kind sniffed from its bytes, never by its name.
    MEDIA_TYPES = {
        Kind.PDF: "application/pdf",
        Kind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Kind.PNG: "image/png",
        Kind.JPEG: "image/jpeg",
    }
    EXTENSIONS = {Kind.PDF: "pdf", Kind.DOCX: "docx", Kind.PNG: "png", Kind.JPEG: "jpg"}

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reply__isnull=True) ^ Q(opinion__isnull=True),
                name="attachment_of_one_letter",
            ),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def label_for(cls, name, kind):
        """The uploader's name as a label only: its extension replaced by the sniffed kind's
        (a PDF named poly.html is shown and downloaded as poly.pdf)."""
        stem = name.replace("\\", "/").rsplit("/", 1)[-1]
        stem = "".join(c for c in stem if c.isprintable()).strip()
        if "." in stem.lstrip("."):
            stem = stem.rsplit(".", 1)[0]
        extension = cls.EXTENSIONS[kind]
        return f"{stem.strip()[: 199 - len(extension)] or _('附件')}.{extension}"

    @property
    def media_type(self):
        return self.MEDIA_TYPES[self.kind]

    @property
    def download_name(self):
        """Also right for files stored before names were relabelled."""
        return self.label_for(self.name, self.kind)


class LetterFile(models.Model):
    """The PDF or DOCX of a sent letter, rendered once at sending and never again: what was
    sent is what is downloaded, and the hash proves it."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "DOCX"

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, null=True, related_name="files")
    opinion = models.ForeignKey(Opinion, on_delete=models.CASCADE, null=True, related_name="files")
    format = models.CharField(max_length=4, choices=Format.choices)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    rendered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("定稿文件")
        verbose_name_plural = _("定稿文件")
        constraints = [
            models.CheckConstraint(
                condition=Q(reply__isnull=True) ^ Q(opinion__isnull=True), name="file_of_one_letter"
            ),
            models.UniqueConstraint(fields=["reply", "format"], name="file_reply_format"),
            models.UniqueConstraint(fields=["opinion", "format"], name="file_opinion_format"),
        ]

    def __str__(self):
        return f"{self.format} {self.sha256[:12]}"

    @property
    def letter(self):
        return self.reply or self.opinion


class LetterTemplate(models.Model):
    """A unit's standard text, per letter kind and result class, with placeholders the
    drafter's letter fills in: 【提出人】【届次会议】【案号】【案由】【办理单位】."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="letter_templates")
    kind = models.CharField(
        _("函件"), max_length=8, choices=[("reply", _("答复函")), ("opinion", _("会办意见"))]
    )
    class_label = models.CharField(
        _("适用类别"), max_length=10, blank=True, help_text=_("留空适用于所有类别。")
    )
    name = models.CharField(_("名称"), max_length=50)
    body = models.TextField(_("正文模板"))

    class Meta:
        verbose_name = _("公文模板")
        verbose_name_plural = _("公文模板")
        ordering = ["unit_id", "kind", "class_label", "name"]

    def __str__(self):
        return self.name

    def fill(self, letter):
        proposal = letter.assignment.proposal
        names = [s.proposer.name for s in proposal.signatories.select_related("proposer")]
        values = {
            "【提出人】": "、".join(names),
            "【届次会议】": str(proposal.session),
            "【案号】": proposal.number,
            "【案由】": proposal.title,
            "【办理单位】": letter.assignment.unit.name,
        }
        text = self.body
        for placeholder, value in values.items():
            text = text.replace(placeholder, value)
        return text


# ---- letters sent before Banli, read in the worker -------------------------------------------
class LetterImportState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    READING = "reading", _("识别中")
    READY = "ready", _("待确认")
    FAILED = "failed", _("识别失败")


class LetterImport(ConcurrentTransitionMixin, models.Model):
    """One upload of past letters (files or a zip): read and recognised in the worker, then
    shown for the office to check before `pages.save_imports` saves them. The uploaded files
    are kept under MEDIA_ROOT until read; what was recognised is kept in `previews`."""

    jurisdiction = models.ForeignKey(
        "proposals.Jurisdiction", on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    state = FSMField(
        _("状态"),
        max_length=10,
        choices=LetterImportState.choices,
        default=LetterImportState.QUEUED,
        protected=True,
    )
    names = models.JSONField(_("文件名"), default=list)
    stored = models.JSONField(default=list)  # storage paths, emptied once read
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    previews = models.JSONField(_("识别结果"), default=list, blank=True)
    message = models.TextField(_("说明"), blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("函件导入")
        verbose_name_plural = _("函件导入")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{'、'.join(self.names)[:60]}（{self.get_state_display()}）"

    @property
    def is_running(self):
        return self.state in (LetterImportState.QUEUED, LetterImportState.READING)

    @property
    def running_since(self):
        return self.started_at or self.created_at

    @property
    def letters(self):
        return [p for p in self.previews if not p.get("error")]

    @transition(
        field=state,
        source=LetterImportState.QUEUED,
        target=LetterImportState.READING,
        permission=done_by_the_worker,
    )
    def start(self, at):
        self.started_at = at

    @transition(
        field=state,
        source=LetterImportState.READING,
        target=LetterImportState.READY,
        permission=done_by_the_worker,
    )
    def finish(self, previews, at):
        self.previews, self.finished_at, self.stored = previews, at, []

    @transition(
        field=state,
        source=[LetterImportState.QUEUED, LetterImportState.READING],
        target=LetterImportState.FAILED,
        permission=done_by_the_worker,
    )
    def fail(self, message, at):
        self.message, self.finished_at, self.stored = message, at, []


class SigningCertificate(models.Model):
    """A certificate Banli signs letters with (responses/signing.py): this installation's root
    CA (no unit), or a unit's, issued by that root or imported (PKCS#12). A unit has at most
    one in force; retired ones stay so that what they signed still verifies. The private key is
    kept encrypted under SECRET_KEY and is never shown."""

    class Kind(models.TextChoices):
        ROOT = "root", _("根证书")
        GENERATED = "generated", _("系统签发")
        IMPORTED = "imported", _("导入")

    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signing_certificates",
        verbose_name=_("承办单位"),
    )
    kind = models.CharField(_("来源"), max_length=10, choices=Kind.choices)
    subject = models.CharField(_("证书主题"), max_length=300)
    fingerprint = models.CharField(_("SHA-256指纹"), max_length=64, unique=True)
    certificate = models.TextField(_("证书"))
    chain = models.TextField(_("证书链"), blank=True)
    private_key = models.BinaryField(editable=False)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    not_after = models.DateTimeField(_("有效期至"))
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("签章证书")
        verbose_name_plural = _("签章证书")
        ordering = ["unit_id", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(retired_at__isnull=True, unit__isnull=False),
                name="one_certificate_in_force",
            ),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(kind="root"), name="one_root_certificate"
            ),
        ]

    def __str__(self):
        return f"{self.unit or self.get_kind_display()} · {self.fingerprint[:16]}"

    def x509(self):
        from cryptography import x509

        return x509.load_pem_x509_certificate(self.certificate.encode())

    def chain_x509(self):
        from cryptography import x509

        return x509.load_pem_x509_certificates(self.chain.encode()) if self.chain else []
