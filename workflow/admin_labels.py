"""Chinese labels for the admin's fields that models name only in English (a foreign key or
a bookkeeping column declared without a verbose name: "Unit", "Emailed at").

Every Banli admin's form carries these (JurisdictionScopedAdmin.get_form), which also
labels the read-only fields of the workflow's records. A field with a Chinese verbose name
keeps it; the lists' column headers and filters still read the models' own names."""

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
}


def labels_for(model):
    """The labels a model's admin form needs: its fields whose own name is English."""
    return {
        field.name: FIELD_LABELS[field.name]
        for field in model._meta.get_fields()
        if field.name in FIELD_LABELS
        and not field.auto_created
        and str(getattr(field, "verbose_name", "")).isascii()
    }
