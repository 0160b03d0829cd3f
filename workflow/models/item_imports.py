"""Excel intake (批量登记交办): one uploaded workbook, its dry-run report and its state machine
(workflow.item_import reads and checks the rows)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from proposals.models import Jurisdiction

from ..permissions import done_by_the_worker, is_office_of_import


def item_import_path(instance, filename):
    # Never the uploader's file name on disk: it is kept in `name` for the pages.
    return f"item-imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.xlsx"


class ItemImportState(models.TextChoices):
    CHECKING = "checking", _("检查中")
    REFUSED = "refused", _("有错误，未导入")
    CHECKED = "checked", _("待确认")
    SAVING = "saving", _("导入中")
    SAVED = "saved", _("已导入")
    FAILED = "failed", _("导入失败")


class ItemImport(ConcurrentTransitionMixin, models.Model):
    """One uploaded workbook: the dry run's report, then (once confirmed) the items saved."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("行政区")
    )
    file = models.FileField(upload_to=item_import_path)
    name = models.CharField(_("文件名"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    state = FSMField(
        _("状态"),
        max_length=10,
        choices=ItemImportState.choices,
        default=ItemImportState.CHECKING,
        protected=True,
    )
    total = models.PositiveIntegerField(_("数据行数"), default=0)
    progress = models.PositiveIntegerField(_("已处理行数"), default=0)
    counts = models.JSONField(_("检查结果"), default=dict, blank=True)
    report = models.JSONField(_("逐行结果"), default=list, blank=True)
    message = models.TextField(_("说明"), blank=True)
    saved = models.PositiveIntegerField(_("新增件数"), default=0)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    saving_since = models.DateTimeField(_("开始导入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("Excel导入")
        verbose_name_plural = _("Excel导入")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=models.F("total")), name="item_import_progress_bounded"
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.get_state_display()}）"

    @property
    def is_running(self):
        return self.state in (ItemImportState.CHECKING, ItemImportState.SAVING)

    @property
    def percent(self):
        return int(100 * self.progress / self.total) if self.total else 0

    # ---- conditions ----------------------------------------------------------------------
    def has_new_rows(self):
        return bool(self.counts.get("new")) and not self.counts.get("error")

    # ---- transitions: they only set fields -----------------------------------------------
    @transition(
        field=state,
        source=ItemImportState.CHECKING,
        target=ItemImportState.CHECKED,
        permission=done_by_the_worker,
    )
    def pass_check(self, counts, report, message=""):
        self.counts, self.report, self.progress = counts, report, self.total
        self.message = message

    @transition(
        field=state,
        source=ItemImportState.CHECKING,
        target=ItemImportState.REFUSED,
        permission=done_by_the_worker,
    )
    def refuse(self, message, counts=None, report=None, at=None):
        self.message, self.counts, self.report = message, counts or {}, report or []
        self.finished_at = at

    @transition(
        field=state,
        source=ItemImportState.CHECKED,
        target=ItemImportState.SAVING,
        conditions=[has_new_rows],
        permission=is_office_of_import,
    )
    def confirm(self, at=None):
        self.saving_since = at or timezone.now()

    @transition(
        field=state,
        source=ItemImportState.SAVING,
        target=ItemImportState.SAVED,
        permission=done_by_the_worker,
    )
    def finish(self, saved, at):
        self.saved, self.finished_at = saved, at

    @property
    def running_since(self):
        if self.state == ItemImportState.CHECKING:
            return self.created_at
        return self.saving_since if self.state == ItemImportState.SAVING else None

    @transition(
        field=state,
        source=[ItemImportState.CHECKING, ItemImportState.SAVING],
        target=ItemImportState.FAILED,
        permission=done_by_the_worker,
    )
    def fail(self, message, at):
        self.message, self.finished_at = message, at
