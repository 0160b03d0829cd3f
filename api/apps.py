from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The REST API: serves every app, so it sits above responses (no models)."""

    name = "api"
    verbose_name = _("接口")
