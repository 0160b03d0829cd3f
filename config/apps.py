"""Third-party apps under Chinese names in the admin (their own catalogues have no Chinese).

django-axes's models and fields read in Chinese through locale/zh_Hans; django-otp marks
nothing for translation, so config.otp_admin labels its admin once it is registered."""

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

    def ready(self):
        super().ready()
        # Both of django-otp's apps are ready and the admin has discovered their admins.
        from .otp_admin import register

        register()
