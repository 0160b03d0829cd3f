import logging
import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("banli")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def check_rendering(**kwargs):
    """Before the pool forks: can this machine render a letter with Banli's fonts? If not,
    say what to install; freezing then refuses (responses.glyphs) instead of crashing."""
    from responses import glyphs

    problem = glyphs.probe_at_start()
    if problem:
        logging.getLogger("banli.worker").critical("%s 函件将不会定稿。", problem)
