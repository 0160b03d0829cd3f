"""How each person hears of the notices of workflow.notices beyond the notification centre:
their choice per channel (`NoticePreference`), and the ledger of daily digests
(`NoticeDigest`) that makes each one go out once per person, channel and day. Whether a
notice itself went out by mail or text is kept on the notice (`Notification.emailed_at`,
`texted_at`)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NoticeChannel(models.TextChoices):
    EMAIL = "email", _("邮件")
    SMS = "sms", _("短信")


class NoticeMode(models.TextChoices):
    IMMEDIATE = "immediate", _("即时发送")
    DIGEST = "digest", _("每日汇总")
    OFF = "off", _("不发送")


# Without a choice of their own: mail at once (notices are few and each asks for something
# to be done: a returned draft, a 不满意, a new item), texts off (they cost the office money
# and reach a phone at any hour; a person turns them on). The centre shows every notice
# whatever the choice.
DEFAULT_MODES = {NoticeChannel.EMAIL: NoticeMode.IMMEDIATE, NoticeChannel.SMS: NoticeMode.OFF}


class NoticePreferenceQuerySet(models.QuerySet):
    def modes_for(self, user_ids):
        """{user id: {channel: mode}} for these people, their own choice or the default."""
        modes = {pk: dict(DEFAULT_MODES) for pk in user_ids}
        for user_id, channel, mode in self.filter(user_id__in=list(modes)).values_list(
            "user_id", "channel", "mode"
        ):
            modes[user_id][channel] = mode
        return modes


class NoticePreference(models.Model):
    """One person's choice for one channel: at once, a daily digest, or not at all."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences"
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=NoticeChannel.choices)
    mode = models.CharField(_("方式"), max_length=10, choices=NoticeMode.choices)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = NoticePreferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")
        constraints = [
            models.UniqueConstraint(fields=["user", "channel"], name="notice_preference_once"),
        ]

    def __str__(self):
        return f"{self.user} {self.get_channel_display()} {self.get_mode_display()}"


class NoticeDigest(models.Model):
    """The ledger of daily digests: one row per person, channel and day, written in the
    same transaction as the notices it covers are marked sent. A second run the same day
    finds the row and sends nothing."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_digests"
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=NoticeChannel.choices)
    day = models.DateField(_("日期"))
    notices = models.PositiveIntegerField(_("通知条数"))
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)

    class Meta:
        verbose_name = _("通知汇总")
        verbose_name_plural = _("通知汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "channel", "day"], name="notice_digest_once_a_day"
            ),
        ]

    def __str__(self):
        return f"{self.recipient} {self.channel} {self.day}"
