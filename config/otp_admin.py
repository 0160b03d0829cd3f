"""The second factor's records in the Chinese admin. django-otp names its models, fields,
sections and help in English and ships no Chinese catalogue: its admins are registered again
here with Chinese labels, and its models get Chinese display names (only the names the pages
read: the migrations' state, `original_attrs`, stays as the app ships it)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin, StaticTokenInline
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from workflow.admin_labels import label_filters, labelled_columns

NAMES = {
    StaticDevice: _("恢复码设备"),
    StaticToken: _("恢复码"),
    TOTPDevice: _("验证器应用"),
}
LABELS = {
    "user": _("用户"),
    "name": _("名称"),
    "confirmed": _("已启用"),
    "created_at": _("创建时间"),
    "last_used_at": _("最近使用时间"),
    "key": _("密钥"),
    "step": _("时间步长（秒）"),
    "t0": _("起始时间"),
    "digits": _("位数"),
    "tolerance": _("容差"),
    "drift": _("时钟偏差"),
    "throttling_failure_timestamp": _("最近一次验证失败时间"),
    "throttling_failure_count": _("连续验证失败次数"),
    "token": _("恢复码"),
}
HELP_TEXTS = {
    "user": _("此设备所属的用户。"),
    "name": _("便于识别此设备的名称。"),
    "confirmed": _("此设备是否可以使用。"),
    "created_at": _("此设备创建的时间。"),
    "last_used_at": _("此设备最近一次使用的时间。"),
    "key": _("十六进制编码的密钥，最长40字节。"),
    "step": _("每个验证码有效的秒数。"),
    "t0": _("开始计算时间步长的Unix时间。"),
    "digits": _("验证码的位数。"),
    "tolerance": _("允许前后相差的时间步长数。"),
    "drift": _("已知验证器与服务器时钟相差的时间步长数。"),
    "throttling_failure_timestamp": _("最近一次验证失败的时间；上次验证成功时为空。"),
    "throttling_failure_count": _("连续验证失败的次数。"),
}
SECTIONS = {
    "Identity": _("设备"),
    "Timestamps": _("时间"),
    "Configuration": _("配置"),
    "State": _("状态"),
    "Throttling": _("失败限制"),
}


class InChinese:
    """Chinese labels, help, sections and column headers over a django-otp admin."""

    search_help_text = _("按用户名或电子邮件地址搜索")

    def get_form(self, request, obj=None, **kwargs):
        kwargs["labels"] = {**LABELS, **(kwargs.get("labels") or {})}
        kwargs["help_texts"] = {**HELP_TEXTS, **(kwargs.get("help_texts") or {})}
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        return [
            (SECTIONS.get(name, name), options)
            for name, options in super().get_fieldsets(request, obj)
        ]

    def get_list_display(self, request):
        return labelled_columns(self.model, super().get_list_display(request))

    def get_changelist_instance(self, request):
        return label_filters(super().get_changelist_instance(request))


class TokenInline(StaticTokenInline):
    def get_formset(self, request, obj=None, **kwargs):
        kwargs["labels"] = {"token": LABELS["token"], **(kwargs.get("labels") or {})}
        return super().get_formset(request, obj, **kwargs)


class StaticDeviceInChinese(InChinese, StaticDeviceAdmin):
    inlines = [TokenInline]


class TOTPDeviceInChinese(InChinese, TOTPDeviceAdmin):
    pass


def register(site=admin.site):
    """Run once the admins are discovered (the apps' ready)."""
    for model, name in NAMES.items():
        model._meta.verbose_name = model._meta.verbose_name_plural = name
    for model, model_admin in (
        (StaticDevice, StaticDeviceInChinese),
        (TOTPDevice, TOTPDeviceInChinese),
    ):
        if site.is_registered(model):
            site.unregister(model)
        site.register(model, model_admin)
