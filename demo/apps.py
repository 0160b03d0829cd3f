from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo data: serves every app, so it sits above responses (no models)."""

    name = "demo"
    verbose_name = _("演示数据")
