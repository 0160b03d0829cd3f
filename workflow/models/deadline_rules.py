"""What deadlines are computed from (workflow.deadlines): each jurisdiction's rule set and the
working-day calendar of holidays and make-up days (loaded by workflow.holidays)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from proposals.models import Jurisdiction, Proposal


class DeadlineRule(models.Model):
    """The clocks of DOMAIN.md §3 for one jurisdiction and item kind; the office edits them.
    A jurisdiction without its own rule uses the defaults shipped here."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="deadline_rules"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Proposal.Kind.choices)
    reply_months = models.PositiveSmallIntegerField(_("答复期限（月，自交办）"), default=3)
    extension_ceiling_months = models.PositiveSmallIntegerField(
        _("延期上限（月，自交办）"), default=6
    )
    opinion_months = models.PositiveSmallIntegerField(_("会办意见期限（月，自交办）"), default=1)
    accept_working_days = models.PositiveSmallIntegerField(
        _("签收期限（工作日，自交办）"), default=5
    )
    transfer_working_days = models.PositiveSmallIntegerField(
        _("申请调整期限（工作日，自签收）"), default=5
    )
    rehandling_months = models.PositiveSmallIntegerField(_("重新办理期限（月）"), default=1)
    feedback_working_days = models.PositiveSmallIntegerField(
        _("反馈期限（工作日，自答复发出）"), default=15
    )
    publication_working_days = models.PositiveSmallIntegerField(
        _("公开期限（工作日，自答复发出）"), default=20
    )
    roll_to_working_day = models.BooleanField(_("期限遇节假日顺延至下一工作日"), default=False)

    class Meta:
        verbose_name = _("办理期限规则")
        verbose_name_plural = _("办理期限规则")
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "kind"], name="deadline_rule_unique"),
            models.CheckConstraint(
                condition=Q(extension_ceiling_months__gte=models.F("reply_months")),
                name="deadline_ceiling_after_reply",
            ),
        ]

    def __str__(self):
        return f"{self.jurisdiction} · {self.get_kind_display()}"


class CalendarDay(models.Model):
    """A day that breaks the Monday–Friday pattern: a public holiday, or a weekend made a
    working day (调休). Seeded from the official schedule; the office may correct it."""

    day = models.DateField(_("日期"), unique=True)
    is_working = models.BooleanField(_("是否工作日"))
    name = models.CharField(_("名称"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["day"]

    def __str__(self):
        return f"{self.day} {self.name} {'上班' if self.is_working else '休'}"


class CalendarYear(models.Model):
    """A year whose official holiday schedule is loaded; other years fall back to Mon–Fri."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(_("来源"), max_length=100)
    loaded_at = models.DateTimeField(_("载入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("已载入节假日安排的年份")
        verbose_name_plural = _("已载入节假日安排的年份")
        ordering = ["year"]

    def __str__(self):
        return str(self.year)
