"""批量登记交办 from Excel, the office's part: upload a workbook (checked in the worker) and
confirm the dry run (saved in the worker). The worker's part is workflow/item_import_worker.py.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from .. import item_import
from ..after_commit import check_item_import_task, save_item_import_task
from ..audit import ActionRefused, fire, lock, log, require_may
from ..models import (
    ItemImport,
)
from ..permissions import require_office


@transaction.atomic
def start_item_import(actor, jurisdiction, upload):
    """An uploaded workbook is kept and checked in the background (a dry run: nothing is
    saved until the office has seen every row's result and confirmed)."""
    require_office(actor, jurisdiction)
    if upload.size > item_import.MAX_BYTES:
        raise ActionRefused(_("文件超过10MB，请拆分后分批导入。"))
    record = ItemImport(jurisdiction=jurisdiction, name=upload.name[:200], created_by=actor)
    record.file.save(upload.name, upload, save=False)
    record.save()
    log(record, "upload", actor, "", record.state, upload.name[:200])
    transaction.on_commit(lambda: check_item_import_task.delay(record.pk), robust=True)
    return record


@transaction.atomic
def confirm_item_import(record, actor):
    """确认导入: the office has read the dry run; the worker saves the new rows."""
    record = lock(ItemImport, record.pk)
    require_may(record, "confirm", actor)
    fire(
        record,
        "confirm",
        by=actor,
        refusal=_("该文件当前状态为“%(state)s”，不能导入（没有可新增的行，或仍有错误）。")
        % {"state": record.get_state_display()},
    )
    transaction.on_commit(lambda: save_item_import_task.delay(record.pk), robust=True)
    return record
