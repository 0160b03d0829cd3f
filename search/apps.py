from django.apps import AppConfig


class SearchConfig(AppConfig):
    """Search for the office and the units: it reads every app, so it sits above responses
    (no models)."""

    name = "search"
