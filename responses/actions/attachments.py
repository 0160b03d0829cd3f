"""附件: a draft's attachments, accepted only for the kind their bytes say they are."""

import hashlib
import io
import zipfile

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image

from proposals.untrusted import declared_members
from workflow.audit import ActionRefused, lock, log
from workflow.permissions import require_unit_member

from ..models import (
    Attachment,
    Reply,
)

ATTACHMENT_LIMIT = 10 * 1024 * 1024


SIGNATURES = [
    (b"%PDF-", Attachment.Kind.PDF),
    (b"PK\x03\x04", Attachment.Kind.DOCX),
    (b"\x89PNG\r\n\x1a\n", Attachment.Kind.PNG),
    (b"\xff\xd8\xff", Attachment.Kind.JPEG),
]


MAX_DOCX_MEMBERS = 2000  # a Word document has a few dozen


MAX_IMAGE_PIXELS = 100_000_000


def sniff(head):
    """The kind a file claims to be by its first bytes (never by its name)."""
    return next((kind for magic, kind in SIGNATURES if head.startswith(magic)), None)


def _is_word_document(content):
    """A zip whose central directory lists word/document.xml, read without decompressing
    anything and with the member count capped (the bytes "word/" anywhere are not enough)."""
    declared = declared_members(content)
    if declared is None or declared > MAX_DOCX_MEMBERS:
        return False  # said by the end record, before zipfile reads every entry
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        return False
    return len(names) <= MAX_DOCX_MEMBERS and "word/document.xml" in names


def _is_image(content, kind):
    """Really a PNG or JPEG: its header parses as one and its structure checks out
    (Pillow's verify reads the chunks without decoding the pixels)."""
    try:
        with Image.open(io.BytesIO(content), formats=[kind.upper()]) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                return False
            image.verify()
    except (Image.DecompressionBombError, OSError, SyntaxError, ValueError, EOFError):
        return False
    return True


def sniff_file(content):
    """The kind a whole uploaded file really is, or None."""
    kind = sniff(content[:16])
    if kind == Attachment.Kind.DOCX and not _is_word_document(content):
        return None  # a zip, but not a Word document
    if kind in (Attachment.Kind.PNG, Attachment.Kind.JPEG) and not _is_image(content, kind):
        return None
    return kind


@transaction.atomic
def attach_file(letter, actor, upload):
    """附件: PDF, DOCX or an image, at most 10 MB, while the letter is still a draft."""
    letter = lock(type(letter), letter.pk)
    require_unit_member(actor, letter.assignment.unit)
    if not letter.is_editable:
        raise ActionRefused(_("该函已送审或发出，不能再添加附件。"))
    if upload.size > ATTACHMENT_LIMIT:
        raise ActionRefused(_("附件不能超过10MB。"))
    content = upload.read(ATTACHMENT_LIMIT + 1)
    if len(content) > ATTACHMENT_LIMIT:
        raise ActionRefused(_("附件不能超过10MB。"))
    kind = sniff_file(content)
    if kind is None:
        raise ActionRefused(_("只能上传PDF、DOCX、PNG或JPEG文件。"))
    digest = hashlib.sha256(content).hexdigest()
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
