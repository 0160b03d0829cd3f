"""Tests: the base settings with eager Celery and a fast password hasher.

With REDIS_URL set, the tests marked `services` switch Celery off eager mode and run a real
worker process against Redis (see tests/conftest.py).
"""

from .base import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
FREEZE_LETTERS_AT_SENDING = False  # rendering PDFs for every test letter is slow; see test_letters
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory: the browser tests' live server answers requests on several
    # threads, each with its own connection (in-memory SQLite would share one and lock).
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405
