"""Letters sent before Banli, the worker's part: the uploaded files read within bounds and
recognised, or the import failing, saying why. Below the verbs and the task that runs it
(responses/after_commit.py).
"""

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.untrusted import Budget, Refused
from workflow import background
from workflow.audit import fire, lock

from . import importer
from .models import (
    LetterImport,
    LetterImportState,
)

IMPORT_LIMIT = 20 * 1024 * 1024  # all the files of one upload, as uploaded


def read_letter_import(record_id):
    """In the worker: every file read within bounds and every letter in it recognised; a file
    that cannot be read is a refusal saying why, in the preview beside the others."""
    with transaction.atomic():
        record = lock(LetterImport, record_id)
        if record.state != LetterImportState.QUEUED:
            return record  # a replayed task
        fire(record, "start", by=None, at=timezone.now(), check_perm=False)
    uploads = []
    for name, path in zip(record.names, record.stored, strict=True):
        with default_storage.open(path, "rb") as handle:
            uploads.append((name, handle.read(IMPORT_LIMIT + 1)))
    budget = Budget(importer.LETTERS.total, background.READ_SECONDS, "")
    try:
        previews = importer.previews_of(uploads, budget)
    except Refused as exc:  # out of time: the upload as a whole
        return fail_letter_import(record_id, str(exc))
    if not any(not preview.get("error") for preview in previews):
        # Nothing could be read: there is nothing to confirm, so the import fails, saying why.
        reasons = "\n".join(importer.refusals(previews))
        return fail_letter_import(record_id, _("上传的文件中没有可以读取的函件。") + "\n" + reasons)
    with transaction.atomic():
        record = lock(LetterImport, record_id)
        if record.state != LetterImportState.READING:
            return record
        stored = record.stored
        fire(record, "finish", by=None, previews=previews, at=timezone.now(), check_perm=False)
    _delete_stored(stored)
    return record


def fail_letter_import(record_id, reason):
    """The reading failed or ran out of time: the import ends, saying why."""
    with transaction.atomic():
        record = lock(LetterImport, record_id)
        if not record.is_running:
            return record
        stored = record.stored
        fire(record, "fail", by=None, message=reason, at=timezone.now(), check_perm=False)
    _delete_stored(stored)
    return record


def end_letter_import_if_stuck(record):
    """Still queued or reading past every time limit: its worker is gone; it fails, saying
    so, instead of showing 识别中 forever."""
    if record.is_running and background.is_stuck(record.running_since):
        return fail_letter_import(record.pk, background.timed_out())
    return record


def _delete_stored(paths):
    for path in paths:
        default_storage.delete(path)
