"""Who signs in for a proposer, and the one-time secrets that let them: the invitation link
(to set a password) and the code sent by SMS. Secrets are kept only as their SHA-256 hash."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from proposals.models import Proposer
from workflow.models import ProposerNoticeWay


def digest(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


class ContactPerson(models.Model):
    """A named contact who acts for a group proposer (党派, 界别, 专委会, 人民团体): each with
    their own mobile and their own account, so a group has several and each act is theirs.
    A person proposer needs none: their own account is `Proposer.user`."""

    proposer = models.ForeignKey(
        Proposer, on_delete=models.PROTECT, related_name="contact_people", verbose_name=_("提出人")
    )
    name = models.CharField(_("联系人姓名"), max_length=50)
    mobile = models.CharField(_("手机号码"), max_length=11)
    email = models.EmailField(_("电子邮箱"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contact_person"
    )
    added_at = models.DateTimeField(default=timezone.now)
    # Their own 通知方式 for the group's notices (blank: by text, to the mobile they sign in
    # with); workflow.proposer_dispatch reads it through Proposer.contact_people.
    notice_way = models.CharField(
        _("通知方式"), max_length=10, choices=ProposerNoticeWay.choices, blank=True
    )

    class Meta:
        verbose_name = _("团体提出人联系人")
        verbose_name_plural = _("团体提出人联系人")
        constraints = [
            models.UniqueConstraint(fields=["proposer", "mobile"], name="contact_mobile_once"),
        ]

    def __str__(self):
        return f"{self.proposer} · {self.name}"


class Invitation(models.Model):
    """邀请: a one-time link to set a password, sent by the office by SMS or email."""

    class Channel(models.TextChoices):
        SMS = "sms", _("短信")
        EMAIL = "email", _("电子邮件")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    proposer = models.ForeignKey(Proposer, on_delete=models.PROTECT, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    channel = models.CharField(_("方式"), max_length=10, choices=Channel.choices)
    sent_to = models.CharField(_("发送至"), max_length=254)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("登录邀请")
        verbose_name_plural = _("登录邀请")

    def __str__(self):
        return f"{self.proposer} · {self.created_at:%Y-%m-%d}"


class SignInCode(models.Model):
    """短信验证码: one per request, for the mobile typed (known or not, so asking about
    unknown numbers counts against the address too)."""

    mobile = models.CharField(max_length=11, db_index=True)
    code_hash = models.CharField(max_length=64)
    ip_address = models.GenericIPAddressField(null=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    wrong_tries = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")

    def __str__(self):
        return f"{self.mobile} · {self.created_at:%H:%M}"
