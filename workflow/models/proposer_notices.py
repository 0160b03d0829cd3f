"""Notices to proposers (issue 22): what the office did with their item, told by text or
mail as the proposer chose. They are about a proposer, not an account: a proposer the office
registered on paper, with no account, is told too, at the contacts the office recorded."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from proposals.models import Proposal, Proposer


class ProposerNoticeWay(models.TextChoices):
    """通知方式: how a proposer hears of their items' steps (not how replies reach them:
    a reply is delivered to every proposer whatever they chose here, DOMAIN.md §2 送达)."""

    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")
    NONE = "none", _("不通知")


class ProposerEvent(models.TextChoices):
    """The steps a proposer is told of (the ledger's `event`)."""

    RECEIVED = "received", _("已收到")
    FILED = "filed", _("已立案")
    NOT_FILED = "not_filed", _("不予立案")
    ASSIGNED = "assigned", _("已交办")
    REOPENED = "reopened", _("重新办理")
    # A reply is delivered to the proposer itself (送达); a group's named contacts are told.
    REPLIED = "replied", _("已答复")
    FOLLOW_UP = "follow_up", _("跟踪办理答复")
    COSIGN_INVITED = "cosign_invited", _("联名邀请")  # of a draft, before there is an item


class ProposerNoticeChoice(models.Model):
    """A proposer's own choice of 通知方式; without one, the way they prefer replies
    (Proposer.preferred_channel) when it is a text or a mail, else whichever they have."""

    proposer = models.OneToOneField(
        Proposer, on_delete=models.CASCADE, related_name="notice_choice", verbose_name=_("提出人")
    )
    way = models.CharField(_("通知方式"), max_length=10, choices=ProposerNoticeWay.choices)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("提出人通知方式")
        verbose_name_plural = _("提出人通知方式")

    def __str__(self):
        return f"{self.proposer} · {self.get_way_display()}"


class ProposerNotice(models.Model):
    """One notice to one proposer, or to one of a group's named contacts: the ledger.
    Unique per proposer, contact, event and subject, so a retried task or a repeated verb
    never tells anyone twice; `sent_at` (or `skipped_at`, nothing to send it by) is set
    while the row is held locked by the sender."""

    proposer = models.ForeignKey(
        Proposer, on_delete=models.CASCADE, related_name="notices", verbose_name=_("提出人")
    )
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="proposer_notices", null=True
    )
    # The named contact told (portal's ContactPerson, unique per proposer and mobile, named
    # by their mobile so this app refers to nothing above it); "" for the proposer itself.
    contact_mobile = models.CharField(_("联系人手机号码"), max_length=11, blank=True, default="")
    event = models.CharField(_("事项"), max_length=30, choices=ProposerEvent.choices)
    subject = models.CharField(max_length=80)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    way = models.CharField(_("通知方式"), max_length=10, blank=True)
    sent_to = models.CharField(_("发送至"), max_length=254, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    skipped_at = models.DateTimeField(null=True, blank=True)
    send_attempts = models.PositiveSmallIntegerField(default=0)
    send_failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("提出人通知")
        verbose_name_plural = _("提出人通知")
        constraints = [
            models.UniqueConstraint(
                fields=["proposer", "contact_mobile", "event", "subject"],
                name="proposer_notice_once",
            ),
        ]

    def __str__(self):
        return f"{self.proposer} · {self.title}"
