"""`make run` asks this first: can this machine render a letter as PDF with Banli's fonts?"""

from django.core.management.base import BaseCommand, CommandError

from responses import glyphs


class Command(BaseCommand):
    help = "Render a one-line Chinese letter in a separate process; say what to install if not."

    def handle(self, *args, **options):
        problem = glyphs.rendering_check()
        if problem:
            raise CommandError(problem)
        self.stdout.write("PDF rendering works (Banli's fonts, no system font needed).")
