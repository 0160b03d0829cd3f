"""A person's own choices: how their notices reach them beyond the notification centre; a
proposer's 通知方式."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.models import Proposer

from ..audit import ActionRefused, lock, log
from ..models import (
    NoticeChannel,
    NoticeMode,
    NoticePreference,
    ProposerNoticeChoice,
    ProposerNoticeWay,
)


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


@transaction.atomic
def choose_proposer_notice_way(proposer, actor, way):
    """通知方式: a proposer chooses how they hear of their items' steps — text, mail or none.
    Only the proposer's own account (or their group's named contact) chooses; a way they
    have no address for is refused, so the page never promises what cannot be sent."""
    proposer = lock(Proposer, proposer.pk)
    if not proposer.is_acted_for_by(actor):
        raise PermissionDenied(_("只有提出人本人可以设置通知方式。"))
    if way not in ProposerNoticeWay.values:
        raise ActionRefused(_("请选择短信、电子邮件或不通知。"))
    if way == ProposerNoticeWay.SMS and not proposer.mobile:
        raise ActionRefused(_("没有登记手机号码，不能选择短信通知；请联系建议提案处。"))
    if way == ProposerNoticeWay.EMAIL and not proposer.email:
        raise ActionRefused(_("没有登记电子邮箱，不能选择邮件通知；请联系建议提案处。"))
    row = ProposerNoticeChoice.objects.filter(proposer=proposer).first()
    before = row.way if row else ""
    if before == way:
        return row
    if row is None:
        row = ProposerNoticeChoice(proposer=proposer)
    row.way, row.changed_at = way, timezone.now()
    row.save()
    log(proposer, "choose_notice_way", actor, before, way, str(ProposerNoticeWay(way).label))
    return row
