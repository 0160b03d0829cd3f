"""Repair the letters frozen without their glyphs (before Banli carried its fonts): each such
PDF is rendered once more; the audit trail keeps the original SHA-256."""

from django.core.management.base import BaseCommand

from responses.actions import refreeze_pdf
from responses.models import LetterFile
from workflow.audit import ActionRefused


class Command(BaseCommand):
    help = "Re-render, once, the frozen PDFs set without Banli's fonts; say what changed."

    def handle(self, *args, **options):
        changed = failed = 0
        files = LetterFile.objects.filter(format=LetterFile.Format.PDF).select_related(
            "reply", "opinion"
        )
        for letter_file in files.order_by("pk").iterator():
            letter = letter_file.letter
            number = letter.doc_number or f"#{letter.pk}"
            label = f"{letter._meta.verbose_name} {number}《{letter.title}》"
            try:
                done = refreeze_pdf(letter_file)
            except ActionRefused as exc:
                failed += 1
                self.stderr.write(f"{label}: not re-rendered: {exc}")
                continue
            if done:
                changed += 1
                old, new = done
                self.stdout.write(f"{label}: PDF re-rendered, SHA-256 {old[:16]}… → {new[:16]}…")
        self.stdout.write(f"{changed} PDF(s) re-rendered, {failed} refused.")
