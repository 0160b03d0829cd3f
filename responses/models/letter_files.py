"""What is kept with a letter: each version sent up for signature, the files attached to it,
and the PDF and DOCX rendered once when it was sent."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflow import uploads

from .letters import Opinion, Reply


class LetterRevision(models.Model):
    """What a letter said each time it went to the leader, so the leader sees what changed."""

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, null=True, related_name="revisions")
    opinion = models.ForeignKey(
        Opinion, on_delete=models.CASCADE, null=True, related_name="revisions"
    )
    number = models.PositiveSmallIntegerField()
    content = models.JSONField()
    submitted_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("送审稿")
        verbose_name_plural = _("送审稿")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reply__isnull=True) ^ Q(opinion__isnull=True),
                name="revision_of_one_letter",
            ),
            models.UniqueConstraint(fields=["reply", "number"], name="revision_reply_number"),
            models.UniqueConstraint(fields=["opinion", "number"], name="revision_opinion_number"),
        ]

    def __str__(self):
        return f"#{self.number} {self.submitted_at:%Y-%m-%d %H:%M}"


def attachment_path(instance, filename):
    # Never the uploader's file name on disk: it may be anything.
    return f"attachments/{timezone.now():%Y/%m}/{instance.sha256[:32]}"


class Attachment(models.Model):
    """A file sent with a letter (PDF, DOCX or image), kept outside the web root and served
    only through a view that checks who is asking."""

    Kind = uploads.FileKind

    reply = models.ForeignKey(
        Reply, on_delete=models.CASCADE, null=True, related_name="attachments"
    )
    opinion = models.ForeignKey(
        Opinion, on_delete=models.CASCADE, null=True, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path)
    name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=5, choices=Kind.choices)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    # What a file is served as, by the kind sniffed from its bytes, never by its name.
    MEDIA_TYPES = uploads.MEDIA_TYPES
    EXTENSIONS = uploads.EXTENSIONS

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reply__isnull=True) ^ Q(opinion__isnull=True),
                name="attachment_of_one_letter",
            ),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def label_for(cls, name, kind):
        return uploads.label_for(name, kind)

    @property
    def media_type(self):
        return self.MEDIA_TYPES[self.kind]

    @property
    def download_name(self):
        """Also right for files stored before names were relabelled."""
        return self.label_for(self.name, self.kind)


class LetterFile(models.Model):
    """The PDF or DOCX of a sent letter, rendered once at sending and never again: what was
    sent is what is downloaded, and the hash proves it."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "DOCX"

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, null=True, related_name="files")
    opinion = models.ForeignKey(Opinion, on_delete=models.CASCADE, null=True, related_name="files")
    format = models.CharField(max_length=4, choices=Format.choices)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    rendered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("定稿文件")
        verbose_name_plural = _("定稿文件")
        constraints = [
            models.CheckConstraint(
                condition=Q(reply__isnull=True) ^ Q(opinion__isnull=True), name="file_of_one_letter"
            ),
            models.UniqueConstraint(fields=["reply", "format"], name="file_reply_format"),
            models.UniqueConstraint(fields=["opinion", "format"], name="file_opinion_format"),
        ]

    def __str__(self):
        return f"{self.format} {self.sha256[:12]}"

    @property
    def letter(self):
        return self.reply or self.opinion
