"""A person's own choices: how their notices reach them beyond the notification centre."""

from django.db import transaction
from django.utils.translation import gettext as _

from ..audit import ActionRefused, log
from ..models import NoticeChannel, NoticeMode, NoticePreference


@transaction.atomic
def set_notice_preferences(user, **modes):
    """通知设置: for each channel named (email=, sms=), at once, a daily digest, or off.
    Only one's own: the view passes the signed-in user."""
    unknown = set(modes).difference(NoticeChannel.values)
    if unknown:
        raise ValueError(f"not notice channels: {sorted(unknown)}")
    if any(mode not in NoticeMode.values for mode in modes.values()):
        raise ActionRefused(_("请选择即时发送、每日汇总或不发送。"))
    changed = []
    for channel, mode in modes.items():
        row, created = NoticePreference.objects.get_or_create(
            user=user, channel=channel, defaults={"mode": mode}
        )
        if created or row.mode != mode:
            if not created:
                row.mode = mode
                row.save(update_fields=["mode", "updated_at"])
            changed.append(f"{NoticeChannel(channel).label}：{NoticeMode(mode).label}")
    if changed:
        log(user, "set_notice_preferences", user, "", "", "；".join(changed)[:500])
    return NoticePreference.objects.modes_for([user.pk])[user.pk]
