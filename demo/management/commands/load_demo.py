import io

import segno
from django.core.management.base import BaseCommand

from demo.loader import Demo, demo_logins, demo_second_factors


class Command(BaseCommand):
    help = "载入演示数据（五份种子公文与一批示例件）；可重复运行，不会重复添加。"

    def handle(self, *args, **options):
        Demo(out=self.stdout.write).load()
        self.stdout.write(self.style.SUCCESS("演示账号（密码相同）："))
        for username, password, role in demo_logins():
            self.stdout.write(f"  {username:<8} {password}  {role}")
        # The office and the administrator must pass a second factor: each gets a demo
        # authenticator, the same on every run, to scan once into a phone's authenticator app.
        for username, secret, url, codes in demo_second_factors():
            self.stdout.write(
                self.style.SUCCESS(f"{username} 须两步验证：用验证器应用扫描二维码，或手动输入密钥")
            )
            qr = io.StringIO()
            segno.make(url, error="l").terminal(out=qr, compact=True, border=2)
            self.stdout.write(qr.getvalue(), ending="")
            self.stdout.write(f"  密钥（TOTP）：{secret}")
            self.stdout.write(f"  恢复码（每个一次）：{' '.join(codes)}")
