from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data: serves every app, so it sits above responses (no models)."""

    name = "demo"
