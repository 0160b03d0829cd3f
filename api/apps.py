from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API: serves every app, so it sits above responses (no models)."""

    name = "api"
