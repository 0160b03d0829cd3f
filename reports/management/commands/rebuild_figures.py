"""Counts every stored statistics figure again from the assignments."""

import time

from django.core.management.base import BaseCommand

from reports import figures


class Command(BaseCommand):
    help = "Count every stored statistics figure again from the assignments."

    def handle(self, *args, **options):
        started = time.perf_counter()
        sessions = figures.rebuild()
        seconds = time.perf_counter() - started
        self.stdout.write(f"{sessions} sessions counted in {seconds:.1f} s")
