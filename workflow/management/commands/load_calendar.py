from django.core.management.base import BaseCommand, CommandError

from workflow import holidays
from workflow.actions import recompute_deadlines


class Command(BaseCommand):
    help = (
        "载入国务院办公厅公布的法定节假日和调休安排（来自 chinese-calendar 包），"
        "并重算未办结件的期限。"
    )

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="*", type=int, help="年份；不填则载入包内全部年份")

    def handle(self, *args, years, **options):
        for year in years or holidays.known_years():
            try:
                days = holidays.load_year(year)
            except ValueError as exc:
                raise CommandError(
                    f"{exc}：请升级 chinese-calendar 包，或在管理后台手工录入。"
                ) from exc
            self.stdout.write(f"{year}: {days} 天")
        changed = recompute_deadlines(reason="节假日安排已载入")
        self.stdout.write(f"重算期限：{changed} 件有变化")
