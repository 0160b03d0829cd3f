"""The statistics' background work: beat runs `refresh_figures` every minute."""

from celery import shared_task

from . import figures


@shared_task
def refresh_figures():
    """Counts again the figures of what changed since the last run (reports/figures.py)."""
    return figures.refresh()
