from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """Search for the office and the units: it reads every app, so it sits above responses
    (no models)."""

    name = "search"
    verbose_name = _("检索")
