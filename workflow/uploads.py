"""What an uploaded file is, by its bytes: the one check of every attachment people upload
(a unit's letter, a proposer's online draft). Below responses, so that workflow's own
uploads (drafts filed online) are checked the same way as the letters'."""

import hashlib
import io
import zipfile

from django.db import models
from django.utils.translation import gettext as _
from PIL import Image

from proposals.untrusted import declared_members

ATTACHMENT_LIMIT = 10 * 1024 * 1024
MAX_DOCX_MEMBERS = 2000  # a Word document has a few dozen
MAX_IMAGE_PIXELS = 100_000_000


class FileKind(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "DOCX"
    PNG = "png", "PNG"
    JPEG = "jpeg", "JPEG"


SIGNATURES = [
    (b"%PDF-", FileKind.PDF),
    (b"PK\x03\x04", FileKind.DOCX),
    (b"\x89PNG\r\n\x1a\n", FileKind.PNG),
    (b"\xff\xd8\xff", FileKind.JPEG),
]

# What a file is served as, by the kind sniffed from its bytes, never by its name.
MEDIA_TYPES = {
    FileKind.PDF: "application/pdf",
    FileKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileKind.PNG: "image/png",
    FileKind.JPEG: "image/jpeg",
}
EXTENSIONS = {FileKind.PDF: "pdf", FileKind.DOCX: "docx", FileKind.PNG: "png", FileKind.JPEG: "jpg"}


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
    if kind == FileKind.DOCX and not _is_word_document(content):
        return None  # a zip, but not a Word document
    if kind in (FileKind.PNG, FileKind.JPEG) and not _is_image(content, kind):
        return None
    return kind


def checked_upload(upload):
    """(content, kind, sha256) of an upload that is a PDF, DOCX, PNG or JPEG of at most
    10 MB by its bytes; anything else is refused."""
    # Here, not at the top: the models (DraftAttachment) read this module's kinds, and the
    # audit module reads the models.
    from .audit import ActionRefused

    if upload.size > ATTACHMENT_LIMIT:
        raise ActionRefused(_("附件不能超过10MB。"))
    content = upload.read(ATTACHMENT_LIMIT + 1)
    if len(content) > ATTACHMENT_LIMIT:
        raise ActionRefused(_("附件不能超过10MB。"))
    kind = sniff_file(content)
    if kind is None:
        raise ActionRefused(_("只能上传PDF、DOCX、PNG或JPEG文件。"))
    return content, kind, hashlib.sha256(content).hexdigest()


def label_for(name, kind):
    """The uploader's name as a label only: its extension replaced by the sniffed kind's
    (a PDF named poly.html is shown and downloaded as poly.pdf)."""
    stem = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = "".join(c for c in stem if c.isprintable()).strip()
    if "." in stem.lstrip("."):
        stem = stem.rsplit(".", 1)[0]
    extension = EXTENSIONS[kind]
    return f"{stem.strip()[: 199 - len(extension)] or _('附件')}.{extension}"
