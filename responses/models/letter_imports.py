"""Letters sent before Banli: one upload of them, read and recognised in the worker
(responses.importer parses them) before the office saves them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from workflow.permissions import done_by_the_worker


class LetterImportState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    READING = "reading", _("识别中")
    READY = "ready", _("待确认")
    FAILED = "failed", _("识别失败")


class LetterImport(ConcurrentTransitionMixin, models.Model):
    """One upload of past letters (files or a zip): read and recognised in the worker, then
    shown for the office to check and correct before `save_letter_import` saves the confirmed
    ones. The uploaded files are kept under MEDIA_ROOT until read; what was recognised is kept
    in `previews`, each saved letter's id under its preview's "saved"."""

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
