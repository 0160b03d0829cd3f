from django.core.management.base import BaseCommand

from workflow.reminders import sweep


class Command(BaseCommand):
    help = "运行一次提醒扫描（通常由 celery beat 每几分钟运行）。可重复、可并发运行，不会重复发送。"

    def handle(self, *args, **options):
        result = sweep()
        self.stdout.write(f"{result['total']} {result['created']}")
