"""Third-party apps under Chinese names in the admin (their own catalogues have no Chinese).

Only the app's name is ours to set here: its models' names (access attempts, TOTP devices)
are part of its migrations' state, so they stay as the app ships them."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.apps import DefaultConfig as StaticConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPConfig


class AxesConfig(AxesAppConfig):
    verbose_name = _("登录失败锁定")


class OTPTOTPConfig(TOTPConfig):
    verbose_name = _("两步验证（验证器应用）")


class OTPStaticConfig(StaticConfig):
    verbose_name = _("两步验证（恢复码）")
