import io

import segno
from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse

from demo.loader import (
    Demo,
    demo_logins,
    demo_proposer_logins,
    demo_second_factors,
    sms_destination,
)


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
        self._proposers()

    def _proposers(self):
        """Each demo proposer signs in at their own door with a code sent to their mobile."""
        where = settings.SITE_URL + reverse("portal-signin")
        self.stdout.write(
            self.style.SUCCESS(
                f"提出人登录：{where} 输入手机号，获取验证码（短信写入 {sms_destination()}）"
            )
        )
        for name, mobile, note in demo_proposer_logins():
            self.stdout.write(f"  {name:<6} {mobile}  {note}")
