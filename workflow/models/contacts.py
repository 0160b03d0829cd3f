"""Who spoke to whom about an item: the unit with the proposer before replying (沟通), and the
office pressing a unit (催办)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from proposals.models import Proposal, Proposer

from .assignments import Assignment
from .units import Unit


class Contact(models.Model):
    """沟通 / 办前面商: the unit's contact with a proposer before replying."""

    class Method(models.TextChoices):
        PHONE = "phone", _("电话")
        VISIT = "visit", _("走访")
        MEETING = "meeting", _("座谈会")
        LETTER = "letter", _("书面")
        ONLINE = "online", _("网络")

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="contacts")
    proposer = models.ForeignKey(
        Proposer, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("沟通对象")
    )
    contacted_on = models.DateField(_("沟通日期"))
    method = models.CharField(_("方式"), max_length=10, choices=Method.choices)
    with_whom = models.CharField(_("参加人员"), max_length=200, blank=True)
    summary = models.TextField(_("沟通情况"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("沟通记录")
        verbose_name_plural = _("沟通记录")
        ordering = ["contacted_on", "id"]

    def __str__(self):
        return f"{self.assignment} · {self.contacted_on} · {self.get_method_display()}"


class Urge(models.Model):
    """催办: the office presses a unit about one item, or about all of its open items."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="urges")
    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, null=True, blank=True, related_name="urges"
    )
    message = models.TextField(_("催办内容"))
    urged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    urged_at = models.DateTimeField(_("催办时间"), default=timezone.now)
    notified_at = models.DateTimeField(_("通知时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("催办")
        verbose_name_plural = _("催办")
        ordering = ["-urged_at"]

    def __str__(self):
        return f"{self.unit} · {self.urged_at:%Y-%m-%d}"
