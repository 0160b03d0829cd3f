from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """The office's statistics: serves every app, so it sits above responses (no models)."""

    name = "reports"
