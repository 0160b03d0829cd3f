from django.core.management.base import BaseCommand, CommandError

from workflow.auditchain import check_and_record


class Command(BaseCommand):
    help = (
        "核验流转记录的哈希链：逐条重算，报告每条断裂链的第一条问题记录，记录本次核验结果"
        "（系统状态页显示）。有断裂时以非零状态退出。每晚由 celery beat 运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--chunk", type=int, default=5000, help="rows read per fetch")

    def handle(self, *args, chunk, **options):
        record, result = check_and_record(chunk=chunk)
        for found in result["breaks"]:
            if found["id"] is None:
                self.stdout.write(f"BROKEN {found['problem']}: {found['detail']}")
                continue
            self.stdout.write(
                f"BROKEN row {found['id']} (item {found['item'] or '-'}, "
                f"{found['subject']} {found['object_id']}, seq {found['seq']}): "
                f"{found['problem']}: {found['detail']}"
            )
        summary = f"{record.rows} rows in {record.chains} chains checked, {record.breaks} breaks"
        if record.breaks:
            raise CommandError(summary)
        self.stdout.write(summary)
