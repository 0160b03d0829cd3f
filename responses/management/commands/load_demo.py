from django.core.management.base import BaseCommand

from responses.demo import Demo, demo_logins


class Command(BaseCommand):
    help = "载入演示数据（五份种子公文与一批示例件）；可重复运行，不会重复添加。"

    def handle(self, *args, **options):
        Demo(out=self.stdout.write).load()
        self.stdout.write(self.style.SUCCESS("演示账号（密码相同）："))
        for username, password, role in demo_logins():
            self.stdout.write(f"  {username:<8} {password}  {role}")
