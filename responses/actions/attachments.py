"""附件: a draft's attachments, accepted only for the kind their bytes say they are
(workflow.uploads, the check every upload of a person shares)."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from workflow.audit import ActionRefused, lock, log
from workflow.permissions import require_unit_member
from workflow.uploads import ATTACHMENT_LIMIT, checked_upload, sniff_file

from ..models import Attachment, Reply

__all__ = ["ATTACHMENT_LIMIT", "attach_file", "sniff_file"]


@transaction.atomic
def attach_file(letter, actor, upload):
    """附件: PDF, DOCX or an image, at most 10 MB, while the letter is still a draft."""
    letter = lock(type(letter), letter.pk)
    require_unit_member(actor, letter.assignment.unit)
    if not letter.is_editable:
        raise ActionRefused(_("该函已送审或发出，不能再添加附件。"))
    content, kind, digest = checked_upload(upload)
    owner = {"reply" if isinstance(letter, Reply) else "opinion": letter}
    attachment = Attachment(
        **owner,
        # The uploader's name is only a label; its extension is the sniffed kind's, and the
        # file is served as that kind (see views.attachment).
        name=Attachment.label_for(upload.name or "", kind),
        kind=kind,
        size=len(content),
        sha256=digest,
        uploaded_by=actor,
    )
    attachment.file.save(digest, ContentFile(content), save=False)
    attachment.save()
    letter.record_author(actor)
    log(letter, "attach", actor, letter.state, letter.state, f"{attachment.name} ({digest[:16]})")
    return attachment
