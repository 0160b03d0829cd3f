"""The letters a unit writes (答复函 to proposers, 会办意见函 to the lead unit; DOMAIN.md §5):
their one state machine, defined once on the abstract `Letter`, the state sets that say what
the states mean, the reads both kinds share (`LetterQuerySet`), and `Reply` and `Opinion`.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from proposals.classification import PROMISING_BUCKETS, Bucket
from workflow import deadlines
from workflow.models import OPINION_OUTSTANDING_STATES, Assignment, AssignmentState, Unit
from workflow.permissions import is_office_for, is_unit_member, is_unit_member_or_office
from workflow.proposer_contacts import CONTACTS_RECORDED_AT

from .. import wording
from ..commitment_text import vague_promises
from ..permissions import is_unit_leader, may_sign_letter
from .commitment_states import REPORTABLE_STATES, CommitmentState


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


# The result class and the disclosure decision. Where a jurisdiction heads its letters with
# them as lines ("办理结果：…", "公开属性：…"; class_mark_style "line"), they head the copy that is
# published, which only a reply has; where they are marks on the letter itself (seed 003's "A"
# and "公开"), a co-handler's opinion bears them too. See Letter.carries_result_and_disclosure.
RESULT_AND_DISCLOSURE_FIELDS = ("class_label", "disclosure", "withheld_reason", "summary")


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


@dataclass(frozen=True)
class Finding:
    """One line of the pre-flight check (送审前检查): what is wrong, in the clerk's words;
    the editor field that fixes it ("" when the fix is elsewhere); whether the fix is on the
    item's page (沟通, the proposers' contacts); and whether it stops 送审 or is a warning."""

    message: str
    field: str = ""
    blocks: bool = True
    on_item: bool = False

    def __str__(self):
        return str(self.message)

    @property
    def level(self):
        return "block" if self.blocks else "warn"


def wording_warnings(letter, proposal, to_proposer):
    """Wrong kind or title words (responses/wording.py says which places are read)."""
    texts = {"title": letter.title, "body": letter.body, "item_title": proposal.title}
    kinds = wording.kind_word_warnings(
        proposal.kind, addressee=letter.addressee, to_proposer=to_proposer, **texts
    )
    return [
        Finding(message, "body", blocks=False)
        for message in kinds + wording.title_warnings(**texts)
    ]


# A template's unfilled part: a line that is only "……", or a numbering ("一、", "（二）",
# "3.") followed by nothing but "……".
PLACEHOLDER_LINE = re.compile(
    r"^[ \t\u3000]*(?:(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]"
    r"|\d+[.、．])[ \t\u3000]*)?(?:…|\.\.\.)+[ \t\u3000。]*$",
    re.MULTILINE,
)


def placeholder_lines(body):
    """The body's lines still holding a template's unfilled parts (they stop 送审)."""
    return [m.group().strip() for m in PLACEHOLDER_LINE.finditer(body)]


def has_ellipsis_elsewhere(body):
    """A "……" outside the placeholder lines: maybe a quotation cut short, maybe an unfilled
    gap; the drafter is asked to look."""
    return "……" in PLACEHOLDER_LINE.sub("", body)


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
    def status_label(self):
        """Where the letter stands, as pages name it: its state (a reply's says whether it is
        public once sent)."""
        return self.get_state_display()

    def carries_result_and_disclosure(self):
        """Whether this letter has a result class and a disclosure decision (the editor
        offers them, save_letter accepts them, the letter prints them): a reply always."""
        return True

    @property
    def is_public(self):
        return self.state == LetterState.PUBLISHED

    # ---- conditions: pure predicates; the *_blockers lists say which rule failed ------
    def disclosure_blockers(self):
        problems = []
        if self.disclosure == Disclosure.WITHHELD and not self.withheld_reason:
            problems.append(Finding(_("选择“不予公开”时必须说明理由。"), "withheld_reason"))
        if self.disclosure == Disclosure.SUMMARY and not self.summary.strip():
            problems.append(Finding(_("选择“主动公开·摘要”时必须填写公开摘要。"), "summary"))
        return problems

    def content_blockers(self):
        """The elements no letter goes up without, and no template part left unfilled."""
        problems = [
            Finding(
                _("请填写%(field)s。") % {"field": self._meta.get_field(name).verbose_name}, name
            )
            for name in ("title", "addressee", "body")
            if not getattr(self, name).strip()
        ]
        if lines := placeholder_lines(self.body):
            problems.append(
                Finding(
                    _("正文仍有模板未填写的部分（%(lines)s），请填写或删除。")
                    % {"lines": "、".join(f"“{line}”" for line in lines[:3])},
                    "body",
                )
            )
        return problems

    def lasting_blockers(self):
        """Rules that, once met, stay met: 送审 and 签发 both ask them."""
        return self.transfer_blockers() + self.disclosure_blockers()

    def transfer_blockers(self):
        """An item re-routed to another unit (调整) is no longer this unit's to answer."""
        if self.still_assigned():
            return []
        return [Finding(_("该件已调整给其他单位办理，本单位的函件不能再送审、签发或发出。"), "")]

    def submit_blockers(self):
        """送审's rules, their one home: what submit_letter refuses with and what the
        pre-flight panel (editor and leader's queue) lists as ✗, in the same words. A letter
        that passes can be signed as it stands, but for a 成文日期 after the signing day
        (sign_blockers; the panel warns of it)."""
        return self.content_blockers() + self.lasting_blockers()

    def sign_blockers(self):
        """What must hold when the leader signs."""
        problems = self.lasting_blockers()
        if self.dated_later():
            problems.append(Finding(_("成文日期晚于今天。"), "letter_date"))
        return problems

    def dated_later(self):
        return bool(self.letter_date and self.letter_date > timezone.localdate())

    def warnings(self):
        """What the drafter and the leader should check; it stops nothing."""
        problems = []
        if not self.contact_phone or not (self.contact_person or self.contact_office):
            field = "contact_person" if self.contact_phone else "contact_phone"
            problems.append(Finding(_("附注联系人或联系电话不完整。"), field, blocks=False))
        if not self.cc_list:
            problems.append(Finding(_("抄送栏为空。"), "cc", blocks=False))
        if has_ellipsis_elsewhere(self.body):
            problems.append(
                Finding(_("正文含有省略号“……”，请确认没有未填写的内容。"), "body", blocks=False)
            )
        if self.dated_later():
            problems.append(
                Finding(_("成文日期晚于今天：该日期之前不能签发。"), "letter_date", blocks=False)
            )
        return problems

    def preflight(self, today=None):
        """送审前检查: every submit blocker, then the warnings. Each finding has its level
        ("block" stops 送审, "warn" is for the drafter and the leader to check)."""
        return self.submit_blockers() + self.warnings()

    def still_assigned(self):
        """Its assignment was not re-routed to another unit (a condition of 发出 too: a
        letter signed before the transfer was approved is not sent)."""
        return self.assignment.state != AssignmentState.TRANSFERRED

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
        if blockers := self.sign_blockers():
            return _("尚有未满足的签发条件：%(problems)s请退回修改。") % {
                "problems": "".join(str(b) for b in blockers)
            }
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
        conditions=[still_assigned],
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

    def queued(self):
        """In the unit leader's queue (QUEUED_STATES)."""
        return self.filter(state__in=QUEUED_STATES)

    def sent(self):
        """Left the unit (SENT_STATES): sent, published or withheld."""
        return self.filter(state__in=SENT_STATES)

    def published(self):
        return self.filter(state=LetterState.PUBLISHED)

    def listed(self):
        """As an office's list prints a reply: with its unit and its item's session, never
        the texts or their search pieces (kilobytes a row)."""
        return self.select_related("assignment__unit", "assignment__proposal__session").defer(
            "body",
            "search_grams",
            "title_grams",
            "assignment__proposal__body",
            "assignment__proposal__search_grams",
        )

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
    # 转为已解决: the office moved a 正在解决/计划解决 reply to 已解决 once its commitments
    # were delivered (responses.actions.commitments.mark_solved); the bucket it had is kept.
    converted_on = models.DateField(_("转为已解决日期"), null=True, blank=True)
    bucket_before_conversion = models.CharField(
        _("转换前办理结果"), max_length=12, choices=Bucket.choices, blank=True
    )
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
            state__in=OPINION_OUTSTANDING_STATES,
        )

    def blocking_opinions(self, today=None):
        """Outstanding opinions still within their deadline, with their units: the lead must
        wait for them. Lists read the co-handlers prefetched as `outstanding_co_handlers`."""
        today = today or timezone.localdate()
        proposal = self.assignment.proposal
        if hasattr(proposal, "outstanding_co_handlers"):
            return [a for a in proposal.outstanding_co_handlers if a.due_on >= today]
        return self.outstanding_opinions().filter(due_on__gte=today).select_related("unit")

    def contact_recorded(self):
        return self.assignment.contacts.exists()

    def submit_blockers(self):
        problems = super().submit_blockers()
        if self.kind == self.Kind.REPLY and self.assignment.role == Assignment.Role.LEAD:
            waiting = [str(a.unit) for a in self.blocking_opinions()]
            if waiting:
                problems.append(
                    Finding(
                        _(
                            "会办单位意见尚未送达且未逾期：%(units)s。"
                            "请等待会办意见或至会办期限后再提交。"
                        )
                        % {"units": "、".join(waiting)}
                    ),
                )
        return problems

    # ---- 承诺事项 (responses/models/commitments.py) ---------------------------------------
    def promises_work(self):
        return self.kind == self.Kind.REPLY and self.result_bucket in PROMISING_BUCKETS

    def commitment_blockers(self):
        """A 正在解决/计划解决 reply is signed only with its commitments, each confirmed (what,
        which unit, by when); a follow-up reply must report at least one. Reads the
        commitments prefetched on lists."""
        if self.kind == self.Kind.FOLLOW_UP:
            return self._report_blockers()
        if not self.promises_work():
            return self._leftover_blockers()
        rows = list(self.commitments.all())
        if not rows:
            return [
                Finding(
                    _(
                        "办理结果为“%(bucket)s”的答复须列明承诺事项（做什么、由哪个单位、"
                        "何时完成）：请在“承诺事项”中确认或添加。"
                    )
                    % {"bucket": self.get_result_bucket_display()},
                    "commitments",
                )
            ]
        waiting = sum(1 for c in rows if c.state == CommitmentState.CANDIDATE)
        if waiting:
            return [
                Finding(
                    _("尚有%(n)d项承诺事项候选未确认：请确认、修改或删除。") % {"n": waiting},
                    "commitments",
                )
            ]
        return []

    def _leftover_blockers(self):
        """Its class changed since commitments were confirmed: a solved or reference reply
        promises nothing (a candidate left over is no promise, and never told)."""
        if self.kind != self.Kind.REPLY or not self.result_bucket:
            return []
        n = sum(1 for c in self.commitments.all() if c.state != CommitmentState.CANDIDATE)
        if not n:
            return []
        return [
            Finding(
                _(
                    "办理结果为“%(bucket)s”的答复不作承诺：请在“承诺事项”中删除这%(n)d项承诺事项，"
                    "或将办理结果改回正在解决、计划解决。"
                )
                % {"bucket": self.get_result_bucket_display() or "—", "n": n},
                "commitments",
            )
        ]

    def _report_blockers(self):
        """A follow-up reply reports at least one commitment, each still reportable."""
        reported = [c for c in self.reported_commitments.all() if c.follow_up_id == self.pk]
        if not reported:
            return [Finding(_("跟踪办理答复须至少报告一项承诺事项的落实情况。"), "commitments")]
        gone = [c for c in reported if c.state not in REPORTABLE_STATES]
        if not gone or self.is_sent:
            return []
        items = "、".join(f"“{c.what[:60]}”（{c.get_state_display()}）" for c in gone)
        return [
            Finding(
                _(
                    "报告的承诺事项%(items)s已不能报告落实情况：请在“报告落实情况的"
                    "承诺事项”中将其改为“不报告”（已送审的须先退回修改）。"
                )
                % {"items": items},
                "commitments",
            )
        ]

    def commitment_warnings(self):
        """Promises in the text with no date that no commitment records: vague (应明确时限)."""
        if not self.promises_work():
            return []
        recorded = {c.source_text for c in self.commitments.all()}
        written_on = self.letter_date or timezone.localdate()
        return [
            Finding(
                _("正文中的承诺没有完成时限：“%(text)s”。请明确时限，或列为承诺事项。")
                % {"text": found.what[:60]},
                "body",
                blocks=False,
            )
            for found in vague_promises(self.body, written_on)
            if found.source_text not in recorded
        ]

    def warnings(self):
        problems = super().warnings() + self.commitment_warnings()
        proposal = self.assignment.proposal
        names = [s.proposer.name for s in proposal.signatories.all()][:3]  # prefetched on lists
        if names and not all(name in self.addressee for name in names):
            problems.append(
                Finding(
                    _("主送与提出人不一致：应为%(names)s。") % {"names": "、".join(names)},
                    "addressee",
                    blocks=False,
                )
            )
        if proposal.title not in self.body and f"第{proposal.number}号" not in self.body:
            problems.append(
                Finding(_("正文未提及所答复的建议提案（案由或案号）。"), "body", blocks=False)
            )
        problems += wording_warnings(self, proposal, to_proposer=True)
        if refusal := self.send_refusal():
            problems.append(Finding(refusal, blocks=False, on_item=True))
        return problems

    # ---- 送达: a reply is sent only when every proposer can be reached -------------------
    def unreachable_proposers(self):
        """The item's proposers with no contact at all (Proposer.has_contact): no email, no
        mobile, no postal address. Reads the signatories prefetched on lists."""
        signatories = self.assignment.proposal.signatories.all()
        return [s.proposer for s in signatories if not s.proposer.has_contact]

    def send_refusal(self):
        """Why this reply cannot be sent yet, naming the proposers and the fix; else None."""
        missing = self.unreachable_proposers()
        if not missing:
            return None
        return _(
            "提出人%(names)s没有任何联系方式，答复无法送达，暂不能发出。"
            "请先在%(where)s中为其登记手机号码、电子邮箱或通信地址，再发出。"
        ) % {"names": "、".join(p.name for p in missing), "where": CONTACTS_RECORDED_AT}

    def lasting_blockers(self):
        problems = super().lasting_blockers() + self.commitment_blockers()
        # A follow-up reply reports its commitments; the item's result is its reply's.
        if not self.class_label and self.kind == self.Kind.REPLY:
            problems.append(Finding(_("请选择办理结果类别。"), "class_label"))
        jurisdiction = self.assignment.proposal.session.jurisdiction
        if jurisdiction.contact_required and not self.contact_recorded():
            problems.append(
                Finding(
                    _(
                        "签发前须至少记录一次与提出人的沟通（办前面商）：请在该件页面的"
                        "“记录沟通（办前面商）”中登记。"
                    ),
                    on_item=True,
                )
            )
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

    def warnings(self):
        """An opinion's wording is checked like a reply's, but it greets the lead unit."""
        return super().warnings() + wording_warnings(
            self, self.assignment.proposal, to_proposer=False
        )

    @property
    def status_label(self):
        """An opinion goes to the lead unit, not to the public: once sent it says 已发出,
        whatever its disclosure made of it (publication is shown for replies only)."""
        if self.is_sent:
            return LetterState.SENT.label
        return self.get_state_display()

    def carries_result_and_disclosure(self):
        """Only where they are marks on the letter itself (RESULT_AND_DISCLOSURE_FIELDS)."""
        return self.assignment.proposal.session.jurisdiction.class_mark_style != "line"
