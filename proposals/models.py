"""Sessions, proposers and the items they file (DOMAIN.md §1–§2).

The item's own state machine lives here; the verbs that fire it live in `workflow.actions`
(they write the audit trail and follow the assignments, which belong to the higher app).
"""

import re

from django.contrib.auth import password_validation
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from .classification import Scheme
from .numerals import chinese_number


class UserManager(DjangoUserManager):
    """Django's, with every password it is given put through the password policy
    (AUTH_PASSWORD_VALIDATORS) first: `createsuperuser` without a terminal
    (DJANGO_SUPERUSER_PASSWORD), its "bypass validation" answer and scripts cannot skip it."""

    def _create_user_object(self, username, email, password, **extra_fields):
        user = super()._create_user_object(username, email, password, **extra_fields)
        if password is not None:
            password_validation.validate_password(password, user)
        return user


class User(AbstractUser):
    """A login. Which unit or office a user acts for is recorded by memberships in `workflow`."""

    name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号码"), max_length=30, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.name or self.get_full_name() or self.username


class Jurisdiction(models.Model):
    """A government whose office assigns items (上海市, 山东省): its rules and letter scheme."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("全国")
        PROVINCE = "province", _("省级")
        CITY = "city", _("市级")
        COUNTY = "county", _("县级")

    name = models.CharField(_("名称"), max_length=50, unique=True)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    scheme = models.CharField(
        _("办理结果分类"), max_length=20, choices=Scheme.choices, default=Scheme.LOCAL
    )
    contact_required = models.BooleanField(
        _("签发前须有办前沟通记录"),
        default=True,
        help_text=_("开启后，答复签发前必须至少记录一次与提出人的沟通。"),
    )
    cc_for_proposals = models.TextField(
        _("提案答复默认抄送"), blank=True, help_text=_("每行一个单位，起草提案答复时预填。")
    )
    cc_for_suggestions = models.TextField(
        _("建议答复默认抄送"), blank=True, help_text=_("每行一个单位，起草建议答复时预填。")
    )
    number_at = models.CharField(
        _("发文字号生成时机"),
        max_length=4,
        choices=[("send", _("发出时")), ("sign", _("签发时"))],
        default="send",
    )
    class_mark_style = models.CharField(
        _("分类标注样式"),
        max_length=10,
        choices=[("plain", "A"), ("paren", "(A类)"), ("line", "办理结果：…")],
        default="plain",
    )

    class Meta:
        verbose_name = _("行政区")
        verbose_name_plural = _("行政区")

    def __str__(self):
        return self.name

    @property
    def prefix(self):
        """The short level word official titles use: 市政协…, 省政协…, 全国政协…."""
        return {"national": "全国", "province": "省", "city": "市", "county": "县"}[self.level]


class SessionQuerySet(models.QuerySet):
    def open_for_filing(self, on=None):
        """The sessions taking online filings on `on` (today): from the day the window opens
        to the day it closes (no closing day: open); after it closes, a session that allows
        闭会期间 filing goes on taking them until a later meeting of the same body in the same
        jurisdiction opens its own window."""
        on = on or timezone.localdate()
        in_window = Q(filing_opens_on__lte=on) & (
            Q(filing_closes_on__isnull=True) | Q(filing_closes_on__gte=on)
        )
        later = self.model.objects.filter(
            jurisdiction=models.OuterRef("jurisdiction"),
            body=models.OuterRef("body"),
            filing_opens_on__lte=on,
            filing_opens_on__gt=models.OuterRef("filing_closes_on"),
        ).exclude(pk=models.OuterRef("pk"))
        in_recess = Q(filing_opens_on__lte=on, filing_closes_on__lt=on, recess_filing=True) & ~Q(
            models.Exists(later)
        )
        return self.filter(in_window | in_recess)

    def in_recess(self, on=None):
        """Of those open, the ones taking filings only because they allow 闭会期间 filing."""
        on = on or timezone.localdate()
        return self.open_for_filing(on).filter(filing_closes_on__lt=on)


class Session(models.Model):
    """届次/会议 of one body in one jurisdiction, e.g. 市政协十四届二次会议."""

    class Body(models.TextChoices):
        CPPCC = "cppcc", _("政协")
        NPC = "npc", _("人大")

    class Period(models.TextChoices):
        DURING = "during", _("大会期间")
        BETWEEN = "between", _("闭会期间")

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("行政区")
    )
    body = models.CharField(_("机关"), max_length=10, choices=Body.choices)
    term = models.PositiveSmallIntegerField(_("届"))
    meeting = models.PositiveSmallIntegerField(_("次会议"))
    year = models.PositiveSmallIntegerField(_("年度"))
    period = models.CharField(
        _("提出时段"), max_length=10, choices=Period.choices, default=Period.DURING
    )
    name = models.CharField(
        _("名称"),
        max_length=80,
        blank=True,
        help_text=_("留空时按惯例生成，如“市政协十四届二次会议”。"),
    )
    closed_on = models.DateField(_("闭幕日期"), null=True, blank=True)
    # 网上提交 (issue 22): the window the office sets for proposers to file online, and
    # whether filing goes on between sessions (闭会期间) where the body allows it.
    filing_opens_on = models.DateField(
        _("网上提交开始日期"), null=True, blank=True, help_text=_("留空表示不接受网上提交。")
    )
    filing_closes_on = models.DateField(
        _("网上提交截止日期"), null=True, blank=True, help_text=_("留空表示不设截止日期。")
    )
    recess_filing = models.BooleanField(
        _("闭会期间可提交"),
        default=False,
        help_text=_("开启后，截止日期之后仍可提交（闭会期间），直至本机关下一次会议开始网上提交。"),
    )

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("届次会议")
        verbose_name_plural = _("届次会议")
        ordering = ["-year", "body", "jurisdiction_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "body", "term", "meeting", "period"],
                name="session_unique_meeting",
            ),
            models.CheckConstraint(
                condition=Q(term__gte=1, meeting__gte=1), name="session_numbered"
            ),
            models.CheckConstraint(
                condition=Q(filing_opens_on__isnull=True)
                | Q(filing_closes_on__isnull=True)
                | Q(filing_closes_on__gte=models.F("filing_opens_on")),
                name="session_filing_window_ordered",
            ),
        ]

    def __str__(self):
        return self.name or self.default_name()

    def save(self, *args, **kwargs):
        if not self.name:
            self.name = self.default_name()
        super().save(*args, **kwargs)

    def accepts_filing(self, on=None):
        """Whether proposers may file online in this session on `on` (today): the one rule,
        kept in SessionQuerySet.open_for_filing and asked here of one session."""
        return type(self).objects.open_for_filing(on).filter(pk=self.pk).exists()

    @property
    def item_kind(self):
        """What this session takes: 提案 in a CPPCC session, 建议 in a people's congress."""
        return KIND_OF_BODY[self.body]

    def default_name(self):
        term, meeting = chinese_number(self.term), chinese_number(self.meeting)
        prefix = self.jurisdiction.prefix
        if self.body == self.Body.CPPCC:
            return f"{prefix}政协{term}届{meeting}次会议"
        return f"{prefix}{term}届人大{meeting}次会议"


MOBILE = re.compile(r"1[3-9][0-9]{9}")
# A stored phone is read in ASCII only: its digits are 0-9 and what separates them (spaces,
# dashes, "+", brackets) is printable ASCII too. Any other character (another script's
# digits, which str.isdigit and \d accept, or words) means it is not a number a text reaches;
# the forms store a mobile in its normal form (workflow.proposer_contacts.typed_mobile).
SEPARATOR = "[ -/:-~]"  # printable ASCII but the digits
# The same test for the database: the digits, read past the separators, are 1[3-9] and
# nine more, optionally after the country code 86.
MOBILE_TEXT = (
    f"^{SEPARATOR}*(8{SEPARATOR}*6{SEPARATOR}*)?1{SEPARATOR}*[3-9]"
    f"({SEPARATOR}*[0-9]){{9}}{SEPARATOR}*$"
)


class ProposerQuerySet(models.QuerySet):
    def acted_for_by(self, user):
        """THE rule of who acts for a proposer: the proposer's own account (`user`), or the
        account of one of a group's named contacts (portal's ContactPerson, reached by its
        related name so this app imports nothing above it). Signing in, the visibility of
        items and drafts, and the filing verbs' permissions all ask this one question."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(Q(user=user) | Q(contact_people__user=user)).distinct()


class Proposer(models.Model):
    """A member (委员), a deputy (代表) or a group that files items. Contact details are
    private: the office and the handling units see them, the public never does."""

    class Kind(models.TextChoices):
        MEMBER = "member", _("政协委员")
        DEPUTY = "deputy", _("人大代表")
        PARTY = "party", _("党派")
        GROUP = "group", _("人民团体")
        SECTOR = "sector", _("界别")
        COMMITTEE = "committee", _("专门委员会")

    class Channel(models.TextChoices):
        """How a reply reaches a proposer (DOMAIN.md §6: 送达)."""

        EMAIL = "email", _("电子邮件")
        SMS = "sms", _("短信")
        PAPER = "paper", _("纸质送达")

    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("姓名/名称"), max_length=100)
    affiliation = models.CharField(_("代表团/界别/单位"), max_length=100, blank=True)
    phone = models.CharField(_("手机号码"), max_length=30, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    address = models.CharField(_("通信地址"), max_length=200, blank=True)
    preferred_channel = models.CharField(
        _("首选送达方式"), max_length=10, choices=Channel.choices, blank=True
    )
    user = models.OneToOneField(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposer"
    )
    # A proposer belongs to the jurisdiction whose people's congress or CPPCC they sit in:
    # namesakes elsewhere are other people, and their contact details are that office's.
    # Empty only until the first item is registered with them (receive_proposal sets it).
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposers",
        verbose_name=_("所属地区"),
    )

    objects = ProposerQuerySet.as_manager()

    class Meta:
        verbose_name = _("提出人")
        verbose_name_plural = _("提出人")
        ordering = ["name"]
        indexes = [models.Index(fields=["jurisdiction", "name", "kind"])]

    def __str__(self):
        return self.name

    @property
    def is_person(self):
        return self.kind in (self.Kind.MEMBER, self.Kind.DEPUTY)

    def is_acted_for_by(self, user):
        """ProposerQuerySet.acted_for_by, asked of one proposer (no query for their own
        account)."""
        if user is None or not user.is_authenticated:
            return False
        if self.user_id == user.pk:
            return True
        return type(self).objects.acted_for_by(user).filter(pk=self.pk).exists()

    @property
    def mobile(self):
        """The phone, when it is a mainland mobile number a text can reach; else empty."""
        if not all(" " <= ch <= "~" for ch in self.phone):
            return ""
        digits = "".join(ch for ch in self.phone if "0" <= ch <= "9")
        if digits.startswith("86") and len(digits) == 13:
            digits = digits[2:]
        return digits if MOBILE.fullmatch(digits) else ""

    @property
    def channels(self):
        """The channels this proposer can be reached by, the preferred one first. Paper needs
        a postal address (handing over in person is recorded as paper too, with no address)."""
        available = [
            channel
            for channel, present in (
                (self.Channel.EMAIL, self.email),
                (self.Channel.SMS, self.mobile),
                (self.Channel.PAPER, self.address),
            )
            if present
        ]
        available.sort(key=lambda channel: channel != self.preferred_channel)
        return available

    @property
    def has_contact(self):
        return bool(self.channels)

    @classmethod
    def lacking_contact(cls, prefix=""):
        """`has_contact` as a filter (Q), for lists counting and finding proposers no
        channel reaches: no email, no address, and no phone whose digits make a mobile."""
        return Q(**{f"{prefix}email": "", f"{prefix}address": ""}) & ~Q(
            **{f"{prefix}phone__regex": MOBILE_TEXT}
        )

    def is_namesake_of(self, other):
        """Two records may be one person (and so merged) only with the same name and kind
        in the same jurisdiction: a deputy is never a CPPCC member of the same name."""
        return (self.jurisdiction_id, self.name, self.kind) == (
            other.jurisdiction_id,
            other.name,
            other.kind,
        )

    @property
    def title(self):
        """How letters address them: 委员, 代表, or nothing for a group."""
        return {self.Kind.MEMBER: "委员", self.Kind.DEPUTY: "代表"}.get(self.kind, "")


class Channel(models.TextChoices):
    """How an item came into Banli (登记渠道)."""

    ONLINE = "online", _("线上提交")
    PAPER = "paper", _("纸质")
    IMPORT = "import", _("导入")
    API = "api", _("API")


class ProposalState(models.TextChoices):
    RECEIVED = "received", _("已收到")
    IN_REVIEW = "in_review", _("审查中")
    FILED = "filed", _("已立案")
    NOT_FILED = "not_filed", _("不予立案")
    MERGED = "merged", _("已并案")
    RETURNED = "returned", _("退回修改")
    CONVERTED = "converted", _("转意见建议")
    ASSIGNED = "assigned", _("已交办")
    IN_HANDLING = "in_handling", _("办理中")
    REPLIED = "replied", _("已答复")
    CLOSED = "closed", _("已办结")
    REOPENED = "reopened", _("重新办理")


# After 交办 the office may still add a unit (a new lead after a transfer, a late co-handler):
# assign_proposal then changes no state. Pages and the verb both read this.
UNITS_ADDABLE_STATES = (ProposalState.ASSIGNED, ProposalState.IN_HANDLING)


# Before 交办 the office may still correct what was registered (a typo in the title, the
# text); from then on units work from it and replies quote it, so it is the record.
CORRECTABLE_STATES = frozenset(
    {ProposalState.RECEIVED, ProposalState.IN_REVIEW, ProposalState.FILED, ProposalState.RETURNED}
)


def derived_from_assignments(proposal, user):
    """No person fires these: the workflow advances them when the assignments change."""
    return False


def follows_online_filing(proposal, user):
    """No person fires these: the proposer's resubmission of their online draft does."""
    return False


REVIEW_PERMISSION = "proposals.review_proposal"
ASSIGN_PERMISSION = "proposals.assign_proposal"


class ProposalQuerySet(models.QuerySet):
    def of_proposer(self, proposer):
        """THE proposers' visibility rule: the items this proposer filed or co-signed, and
        nothing else (their pages, their API, their notices all ask this)."""
        return self.filter(signatories__proposer=proposer)


class Proposal(ConcurrentTransitionMixin, models.Model):
    """An item: a CPPCC proposal (提案) or a deputy's suggestion (建议)."""

    class Kind(models.TextChoices):
        PROPOSAL = "proposal", _("提案")
        SUGGESTION = "suggestion", _("建议")

    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("届次会议")
    )
    number = models.CharField(_("案号"), max_length=20)
    title = models.CharField(_("案由"), max_length=300)
    body = models.TextField(_("正文"), blank=True)
    topic = models.CharField(_("主题"), max_length=50, blank=True)
    proposers = models.ManyToManyField(
        Proposer, through="ProposalProposer", related_name="proposals", verbose_name=_("提出人")
    )
    is_key = models.BooleanField(_("重点提案（建议）"), default=False)
    supervising_leader = models.CharField(_("领衔督办领导"), max_length=50, blank=True)
    received_at = models.DateTimeField(_("收到时间"), default=timezone.now)
    channel = models.CharField(
        _("登记渠道"), max_length=10, choices=Channel.choices, default=Channel.PAPER
    )
    state = FSMField(
        _("状态"),
        max_length=12,
        choices=ProposalState.choices,
        default=ProposalState.RECEIVED,
        protected=True,
        db_index=True,
    )
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    review_reason = models.TextField(_("审查意见"), blank=True)
    # Search pieces (proposals.bigrams) of the title and text, written by the verbs that
    # create an item; GIN-indexed on PostgreSQL by migration 0003. The title's own pieces
    # are in TitlePieces.
    search_grams = models.TextField(blank=True, editable=False)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_items",
        verbose_name=_("并入"),
    )

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("建议提案")
        verbose_name_plural = _("建议提案")
        ordering = ["session_id", "number"]
        permissions = [
            ("review_proposal", _("审查提案（立案、不予立案、并案、退回、转意见）")),
            ("assign_proposal", _("交办、调整、延期审批、催办")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="proposal_number_unique"),
            models.CheckConstraint(
                condition=~Q(state="merged") | Q(merged_into__isnull=False),
                name="proposal_merged_has_target",
            ),
            models.CheckConstraint(
                condition=~Q(state="not_filed") | ~Q(review_reason=""),
                name="proposal_not_filed_has_reason",
            ),
        ]

    def __str__(self):
        return gettext("%(reference)s：%(title)s") % {
            "reference": self.shown_reference,
            "title": self.title,
        }

    @property
    def kind_word(self):
        """提案 / 代表建议, as the letter titles print them."""
        return "提案" if self.kind == self.Kind.PROPOSAL else "代表建议"

    @property
    def reference(self):
        """市政协十四届二次会议第1136号提案."""
        return f"{self.session}第{self.number}号{self.kind_word}"

    @property
    def shown_reference(self):
        """The reference in the page's language (a page names the item; a letter prints
        `reference`, Chinese in every language)."""
        if self.kind == self.Kind.PROPOSAL:
            shown = gettext("%(session)s第%(number)s号提案")
        else:
            shown = gettext("%(session)s第%(number)s号代表建议")
        return shown % {"session": self.session, "number": self.number}

    # ---- conditions: pure predicates on the row ------------------------------------------
    def is_proposal(self):
        return self.kind == self.Kind.PROPOSAL

    def review_done_or_not_needed(self):
        # Suggestions skip CPPCC review; proposals are filed only out of review.
        return self.kind == self.Kind.SUGGESTION or self.state == ProposalState.IN_REVIEW

    def has_review_reason(self):
        return bool(self.review_reason.strip())

    def has_merge_target(self):
        return self.merged_into_id is not None and self.merged_into_id != self.pk

    def filed_online(self):
        return self.channel == Channel.ONLINE

    def returnable(self):
        # Out of review; an item filed online may also be returned as soon as it is received
        # (a suggestion is never reviewed, and its proposer revises it online).
        return self.state == ProposalState.IN_REVIEW or self.filed_online()

    def revised_on_paper(self):
        # An item returned while filed online comes back by its proposer's resubmission,
        # never by the office starting review of the text it returned.
        return self.state != ProposalState.RETURNED or not self.filed_online()

    # ---- review (提案审查): the office --------------------------------------------------
    @transition(
        field=state,
        source=[ProposalState.RECEIVED, ProposalState.RETURNED],
        target=ProposalState.IN_REVIEW,
        conditions=[is_proposal, revised_on_paper],
        permission=REVIEW_PERMISSION,
    )
    def start_review(self):
        pass

    @transition(
        field=state,
        source=[ProposalState.RECEIVED, ProposalState.IN_REVIEW],
        target=ProposalState.FILED,
        conditions=[review_done_or_not_needed],
        permission=REVIEW_PERMISSION,
    )
    def file(self):
        """立案 (a suggestion is registered straight from receipt)."""

    @transition(
        field=state,
        source=ProposalState.IN_REVIEW,
        target=ProposalState.NOT_FILED,
        conditions=[has_review_reason],
        permission=REVIEW_PERMISSION,
    )
    def reject(self):
        """不予立案: the reason is told to the proposer."""

    @transition(
        field=state,
        source=ProposalState.IN_REVIEW,
        target=ProposalState.MERGED,
        conditions=[has_merge_target],
        permission=REVIEW_PERMISSION,
    )
    def merge(self):
        """并案: handled with another item; each proposer still gets a reply."""

    @transition(
        field=state,
        source=[ProposalState.RECEIVED, ProposalState.IN_REVIEW],
        target=ProposalState.RETURNED,
        conditions=[returnable, has_review_reason],
        permission=REVIEW_PERMISSION,
    )
    def return_for_revision(self):
        """退回修改."""

    @transition(
        field=state,
        source=ProposalState.RETURNED,
        target=ProposalState.RECEIVED,
        conditions=[filed_online],
        permission=follows_online_filing,
    )
    def resubmit(self):
        """The proposer revised the item online and filed it again: received anew."""

    @transition(
        field=state,
        source=ProposalState.IN_REVIEW,
        target=ProposalState.CONVERTED,
        conditions=[has_review_reason],
        permission=REVIEW_PERMISSION,
    )
    def convert(self):
        """转意见建议 / 社情民意."""

    # ---- assignment (交办) ---------------------------------------------------------------
    @transition(
        field=state,
        source=ProposalState.FILED,
        target=ProposalState.ASSIGNED,
        permission=ASSIGN_PERMISSION,
    )
    def assign(self):
        pass

    # ---- states that follow the assignments --------------------------------------------
    @transition(
        field=state,
        source=ProposalState.ASSIGNED,
        target=ProposalState.IN_HANDLING,
        permission=derived_from_assignments,
    )
    def start_handling(self):
        pass

    @transition(
        field=state,
        source=[ProposalState.ASSIGNED, ProposalState.IN_HANDLING, ProposalState.REOPENED],
        target=ProposalState.REPLIED,
        permission=derived_from_assignments,
    )
    def mark_replied(self):
        pass

    @transition(
        field=state,
        source=ProposalState.REPLIED,
        target=ProposalState.CLOSED,
        permission=derived_from_assignments,
    )
    def close(self):
        pass

    @transition(
        field=state,
        source=[ProposalState.REPLIED, ProposalState.CLOSED],
        target=ProposalState.REOPENED,
        permission=derived_from_assignments,
    )
    def reopen(self):
        """不满意: a new handling round; the earlier round stays on record."""
        self.round += 1


# Which body takes which kind of item (DOMAIN.md §1): the CPPCC 提案, the people's congress
# 建议; and the body whose members each person kind sits in (委员: CPPCC, 代表: NPC).
BODY_OF_KIND = {
    Proposal.Kind.PROPOSAL: Session.Body.CPPCC,
    Proposal.Kind.SUGGESTION: Session.Body.NPC,
}
KIND_OF_BODY = {body: kind for kind, body in BODY_OF_KIND.items()}
BODY_OF_PROPOSER = {
    Proposer.Kind.MEMBER: Session.Body.CPPCC,
    Proposer.Kind.DEPUTY: Session.Body.NPC,
}


def kind_refusal(kind, session=None, proposer_kind=None):
    """Why an item of `kind` may not be registered in `session` with proposers of
    `proposer_kind`, or "" when it may: the one rule the intake page, the API, the Excel
    import and the verb `receive_proposal` all ask."""
    body = BODY_OF_KIND.get(kind)
    if body is None:
        return ""
    label = Proposal.Kind(kind).label
    if session is not None and session.body != body:
        return str(_("%(s)s不收%(k)s。") % {"s": session, "k": label})
    if proposer_kind in BODY_OF_PROPOSER and BODY_OF_PROPOSER[proposer_kind] != body:
        return str(
            _("%(k)s的提出人不能是%(p)s。") % {"k": label, "p": Proposer.Kind(proposer_kind).label}
        )
    return ""


class TitlePieces(models.Model):
    """The search pieces of an item's title, in a table of their own. The similar-items
    lookup ranks every item sharing a piece with a title (tens of thousands at a decade's
    items); read from the item rows, which carry the text, that was half a second, and
    from rows of a hundred bytes it is a tenth of that. GIN-indexed on PostgreSQL."""

    proposal = models.OneToOneField(
        Proposal, on_delete=models.CASCADE, primary_key=True, related_name="title_pieces"
    )
    grams = models.TextField()

    class Meta:
        verbose_name = _("案由检索词")
        verbose_name_plural = _("案由检索词")

    def __str__(self):
        return str(self.proposal_id)


class ProposalProposer(models.Model):
    """Ordered proposers of an item: position 0 is the lead proposer (领衔人)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="signatories")
    proposer = models.ForeignKey(Proposer, on_delete=models.PROTECT, related_name="signatures")
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("提出人顺序")
        verbose_name_plural = _("提出人顺序")
        ordering = ["proposal_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "position"], name="proposer_position_unique"
            ),
            models.UniqueConstraint(fields=["proposal", "proposer"], name="proposer_once_per_item"),
        ]

    def __str__(self):
        return f"{self.proposal_id}#{self.position} {self.proposer_id}"
