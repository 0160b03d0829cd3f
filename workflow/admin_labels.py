"""Chinese labels for the admin's fields that models name only in English (a foreign key or
a bookkeeping column declared without a verbose name: "Unit", "Emailed at").

Every Banli admin carries these (JurisdictionScopedAdmin): its form, which also labels the
read-only fields of the workflow's records, its lists' column headers and its filters. A
field with a Chinese verbose name keeps it."""

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

FIELD_LABELS = {
    "user": _("用户"),
    "unit": _("单位"),
    "parent": _("上级单位"),
    "jurisdiction": _("行政区"),
    "proposal": _("所属建议提案"),
    "proposer": _("提出人"),
    "reply": _("答复"),
    "opinion": _("会办意见"),
    "assignment": _("交办"),
    "assigned_by": _("交办人"),
    "due_version": _("期限版本"),
    "recorded_by": _("记录人"),
    "requested_by": _("申请人"),
    "decided_by": _("审批人"),
    "created_by": _("创建人"),
    "actor": _("操作人"),
    "content_type": _("对象类型"),
    "object_id": _("对象编号"),
    "recipient": _("接收人"),
    "digest": _("提醒汇总"),
    "key": _("通知键"),
    "batch": _("批次"),
    "emailed_at": _("邮件发出时间"),
    "texted_at": _("短信发出时间"),
    "send_attempts": _("发送尝试次数"),
    "send_failed_at": _("发送失败时间"),
    "file": _("文件"),
    "kind": _("类型"),
    "requested_at": _("请求时间"),
    "done_at": _("完成时间"),
    "worker": _("执行进程"),
    "urged_by": _("催办人"),
    "submitted_by": _("送审人"),
    "submitted_at": _("送审时间"),
    "uploaded_by": _("上传人"),
    "uploaded_at": _("上传时间"),
    "started_at": _("开始时间"),
    "finished_at": _("结束时间"),
    "rendered_at": _("生成时间"),
    "created_at": _("创建时间"),
    "last_used_at": _("最近使用时间"),
    "confirmed": _("已启用"),
    "name": _("名称"),
    "deadline_kind": _("期限类型"),
    "rung": _("提醒规则"),
    "due_on": _("办理期限"),
}


def labels_for(model):
    """The labels a model's admin form needs: its fields whose own name is English."""
    return {
        field.name: FIELD_LABELS[field.name]
        for field in model._meta.get_fields()
        if field.name in FIELD_LABELS and not field.auto_created and _named_in_english(field)
    }


def _named_in_english(field):
    """The field's name is Django's default from its attribute (never translated), not a
    verbose name of ours: a lazy translation reads English on an English page too."""
    name = getattr(field, "verbose_name", None)
    return isinstance(name, str) and name.isascii()


def labelled_columns(model, names):
    """A list's columns, each field named in English shown under its Chinese label (the
    header reads a field's own name, which no form label reaches)."""
    labels = labels_for(model)
    return [
        _column(model._meta.get_field(name), labels[name])
        if isinstance(name, str) and name in labels
        else name
        for name in names
    ]


def label_filters(changelist):
    """The list's filters titled in Chinese where the field's own name is English."""
    for spec in changelist.filter_specs:
        field = getattr(spec, "field", None)
        if field is not None and field.name in FIELD_LABELS and _named_in_english(field):
            spec.title = FIELD_LABELS[field.name]
    return changelist


def _column(field, label):
    def value(obj):
        return getattr(obj, field.name)

    value.__name__ = field.name  # the column keeps its class (field-unit) and its sorting
    boolean = isinstance(field, models.BooleanField)  # still the admin's icons
    return admin.display(description=label, ordering=field.name, boolean=boolean)(value)
