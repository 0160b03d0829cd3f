"""A sent letter's files: its PDF (sealed by the issuing unit) and DOCX, rendered once and kept.
Below the verbs and the task that freezes on sending (responses/after_commit.py).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workflow.audit import ActionRefused, lock, log

from . import glyphs, rendering, signing
from .models import (
    LetterFile,
    Reply,
)


def signed_pdf(letter):
    """The letter's PDF, checked unsigned (rendering.pdf), then signed by its issuing unit
    (PAdES, the seal over the 落款): the file that is frozen and whose SHA-256 is kept."""
    return rendering.pdf(letter, seal=signing.sealer(letter))


def freeze(letter):
    """Render a sent letter's PDF and DOCX once; later calls return what was frozen. A PDF
    that fails its checks (rendering.pdf) raises rendering.BrokenLetter and nothing is kept;
    the stored PDF is signed by the issuing unit (signing.py), the DOCX is not."""
    owner = {"reply" if isinstance(letter, Reply) else "opinion": letter}
    if not letter.is_sent:
        raise ActionRefused(_("只有已发出的函件才有定稿文件。"))
    existing = {f.format: f for f in LetterFile.objects.filter(**owner)}
    for fmt, render in (
        (LetterFile.Format.PDF, signed_pdf),
        (LetterFile.Format.DOCX, rendering.docx),  # the DOCX is a working copy: not signed
    ):
        if fmt not in existing:
            content = render(letter)
            made, _created = LetterFile.objects.get_or_create(
                **owner,
                format=fmt,
                defaults={"content": content, "sha256": rendering.digest(content)},
            )
            existing[fmt] = made
    return existing


@transaction.atomic
def refreeze_pdf(letter_file):
    """Repair: a sent letter's PDF frozen without its glyphs (set in a system font that lacked
    the Chinese characters, before Banli carried its fonts) is rendered once more. The letter
    is unchanged; its audit trail keeps the original file's SHA-256 beside the new one.
    Returns (old hash, new hash), or None when the stored PDF is already set in Banli's fonts."""
    letter_file = lock(LetterFile, letter_file.pk)
    letter = letter_file.letter
    stored = bytes(letter_file.content)
    foreign = glyphs.foreign_fonts(stored)
    # Only a PDF set in fonts Banli does not carry lacks glyphs: one set in Banli's was
    # checked glyph by glyph when frozen. Its text is not compared with today's layout, which
    # has changed since (title breaks, 附注): a sent letter's record is not re-rendered for that.
    if not foreign:
        return None
    content = signed_pdf(letter)  # checked: raises BrokenLetter rather than store a bad one
    old, new = letter_file.sha256, rendering.digest(content)
    letter_file.content, letter_file.sha256 = content, new
    letter_file.rendered_at = timezone.now()
    letter_file.save(update_fields=["content", "sha256", "rendered_at"])
    log(
        letter,
        "refreeze",
        None,
        letter.state,
        letter.state,
        comment=_(
            "定稿PDF缺字，重新生成（字体：%(fonts)s）。原SHA-256：%(old)s；新SHA-256：%(new)s"
        )
        % {"fonts": "、".join(sorted(foreign)) or "—", "old": old, "new": new},
    )
    return old, new
