"""Kept while the code being moved out of responses/ still imports these names from here:
the reads now live in `responses/selectors.py`.

`save_letter_import` is a write: it belongs in `responses/actions.py` beside `import_letter`
(it runs every file's `import_letter` in one transaction), and moves there as it stands.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from workflow.audit import ActionRefused

from . import importer
from .actions import import_letter
from .selectors import link_state, preview_texts, public_queryset, public_replies

__all__ = ["link_state", "public_queryset", "public_replies", "save_letter_import"]


@transaction.atomic
def save_letter_import(actor, record, accept_gaps):
    """保存全部: every letter the import read, or none (one transaction). A letter that lacks
    what no "接受缺项" can accept refuses the whole save; so does a gap not accepted."""
    texts = [preview["text"] for preview in record.letters]
    for preview in preview_texts(texts):
        parsed = preview["parsed"]
        what = parsed.fields.get("title", preview["name"])
        if parsed.blocking:
            raise ActionRefused(
                _("%(t)s 缺少%(m)s，无法保存。请补全原件后重新上传。")
                % {"t": what, "m": importer.labels(parsed.blocking)}
            )
        if not parsed.complete and not accept_gaps:
            raise ActionRefused(
                _("%(t)s 缺少：%(m)s。补全原件，或勾选“接受缺项”后保存。")
                % {"t": what, "m": importer.labels(parsed.missing)}
            )
        import_letter(actor, parsed, record.jurisdiction)
    return len(texts)
