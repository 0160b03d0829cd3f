"""The proposers' feedback on a reply (征询意见表, DOMAIN.md §6)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from proposals.models import Proposer

from .letters import Reply


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
