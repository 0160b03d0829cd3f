from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The proposers' own door: their sign-in and the pages that follow their items. It sits
    beside api, reports, search and demo, above responses."""

    name = "portal"
    verbose_name = _("提出人")
