from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The office's statistics: serves every app, so it sits above responses (no models)."""

    name = "reports"
    verbose_name = _("统计")
