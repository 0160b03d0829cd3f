"""送达: a sent reply reaches every proposer. Sending queues an email and a text for each
proposer who has them (`start_delivery`, called by send_letter); the worker tries them
(responses/delivery_worker.py); the unit's clerk or the office resends what failed
(`resend_delivery`) and records a paper copy handed over or posted (`record_paper_delivery`).
"""

from datetime import datetime, time

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.models import ProposalProposer, Proposer
from workflow import notices
from workflow.audit import ActionRefused, fire, lock, log, require_may
from workflow.proposer_contacts import CONTACTS_RECORDED_AT
from workflow.proposer_notices import ProposerEvent, tell_proposers

from .. import delivery_worker
from ..after_commit import deliver
from ..models import ELECTRONIC_CHANNELS, Delivery, DeliveryState, Reply


def require_reachable(reply):
    """Nothing is sent while a proposer of the item has no contact at all (Reply.send_refusal
    names them and says how to fix it)."""
    if refusal := reply.send_refusal():
        raise ActionRefused(refusal)


def start_delivery(reply, at):
    """Inside send_letter's transaction: the office hears the reply went out, and a queued
    row per proposer and electronic channel is tried by the worker after the commit."""
    proposal = reply.assignment.proposal
    notices.announce(
        notices.Event.REPLY_SENT,
        subject=f"reply:{reply.pk}",
        title=lambda: (
            _("%(unit)s已答复%(ref)s（%(number)s）")
            % {"unit": reply.assignment.unit, "ref": proposal.reference, "number": reply.doc_number}
        ),
        link=reverse("item", args=[proposal.pk]),
        unit=reply.assignment.unit,
        jurisdiction=proposal.session.jurisdiction,
    )
    for row in delivery_worker.queue_deliveries(reply):
        _dispatch(row.pk)
    everyone = ProposalProposer.objects.filter(proposal_id=proposal.pk).count()
    delivery_worker.count_unreached(reply, everyone)
    _tell_named_contacts(reply, proposal)


def _tell_named_contacts(reply, proposal):
    """The reply reaches each proposer at the addresses recorded for them (送达, above); a
    group's named contacts, who act for it at /me/, are told it is there to read and rate."""
    follow_up = reply.kind == Reply.Kind.FOLLOW_UP
    tell_proposers(
        ProposerEvent.FOLLOW_UP if follow_up else ProposerEvent.REPLIED,
        proposal,
        subject=f"reply:{reply.pk}",
        title=lambda: (
            (
                _("您的%(kind)s“%(title)s”有跟踪办理答复")
                if follow_up
                else _("您的%(kind)s“%(title)s”已答复")
            )
            % {"kind": proposal.kind_word, "title": proposal.title[:40]}
        ),
        body=lambda: (
            _("%(unit)s已答复%(ref)s（%(number)s），请登录提出人页面查看并评价。")
            % {
                "unit": reply.assignment.unit.name,
                "ref": proposal.reference,
                "number": reply.doc_number,
            }
        ),
        contacts_only=True,
    )


def _dispatch(pk):
    transaction.on_commit(lambda: deliver.delay(pk), robust=True)


@transaction.atomic
def resend_delivery(actor, delivery=None, *, reply=None, proposer=None, channel=None):
    """重新发送: a failed (or stuck) email or text is tried afresh; given instead a reply, a
    proposer and a channel with no row yet (a contact recorded after sending), one is
    queued."""
    if delivery is None:
        delivery = _new_row(actor, reply, proposer, channel)
        delivery.save(force_insert=True)
        log(delivery, "resend", actor, "", delivery.state)
        _dispatch(delivery.pk)
        return delivery
    delivery = lock(Delivery, delivery.pk)
    require_may(delivery, "resend", actor)
    fire(delivery, "resend", by=actor, at=timezone.now(), refusal=_resend_refusal(delivery))
    _dispatch(delivery.pk)
    return delivery


def _resend_refusal(delivery):
    """Why the machine refuses to resend this row (the transition's sources and condition),
    in words that say what to do instead."""
    names = {"name": delivery.proposer.name, "channel": delivery.get_channel_display()}
    if delivery.state == DeliveryState.QUEUED:
        return _("%(name)s的%(channel)s仍在发送中（已尝试%(n)s次），无需重新发送。") % {
            **names,
            "n": delivery.attempts,
        }
    if delivery.is_reached:
        return _("%(name)s的%(channel)s已送达，无需重新发送。") % names
    return _("%(name)s的%(channel)s联系方式已删除，请先在%(where)s中补录，再重新发送。") % {
        **names,
        "where": CONTACTS_RECORDED_AT,
    }


def _new_row(actor, reply, proposer, channel):
    """A new unsaved row for a channel the proposer has and the reply has no row for."""
    reply = lock(Reply, reply.pk)
    row = Delivery(reply=reply, proposer=proposer, channel=channel)
    require_may(row, "resend", actor)
    _require_sent_to(reply, proposer)
    if channel not in Proposer.Channel.values:
        raise ActionRefused(_("送达方式无效，请选择电子邮件或短信。"))
    if channel not in ELECTRONIC_CHANNELS:
        raise ActionRefused(_("纸质送达请登记交付或寄出日期。"))
    if channel not in proposer.channels:
        raise ActionRefused(
            _("%(name)s没有登记%(channel)s联系方式，请先在%(where)s中补录。")
            % {
                "name": proposer.name,
                "channel": Proposer.Channel(channel).label,
                "where": CONTACTS_RECORDED_AT,
            }
        )
    if Delivery.objects.filter(reply=reply, proposer=proposer, channel=channel).exists():
        raise ActionRefused(
            _("已有%(name)s的%(channel)s送达记录，请在该记录上重新发送。")
            % {"name": proposer.name, "channel": Proposer.Channel(channel).label}
        )
    return row


def _require_sent_to(reply, proposer):
    if not reply.is_sent:
        raise ActionRefused(_("答复尚未发出，暂不能登记送达。"))
    on_item = ProposalProposer.objects.filter(
        proposal_id=reply.assignment.proposal_id, proposer=proposer
    )
    if not on_item.exists():
        raise PermissionDenied(_("该提出人不是此件的提出人。"))


@transaction.atomic
def record_paper_delivery(actor, reply, proposer, handed_on, tracking_number=""):
    """纸质送达: the clerk of the unit that sent the reply, or the office, records a paper copy
    handed over (当面送达: confirmed) or posted (寄出, with the tracking number). The
    proposer's feedback window runs from that day."""
    reply = lock(Reply, reply.pk)
    row = Delivery(reply=reply, proposer=proposer, channel=Proposer.Channel.PAPER)
    require_may(row, "record_handover", actor)
    _require_sent_to(reply, proposer)
    tracking_number = (tracking_number or "").strip()
    _check_handed_on(reply, handed_on)
    if Delivery.objects.filter(reply=reply, proposer=proposer, channel=row.channel).exists():
        raise ActionRefused(_("已登记过%(name)s的纸质送达。") % {"name": proposer.name})
    if len(tracking_number) > Delivery._meta.get_field("tracking_number").max_length:
        raise ActionRefused(_("邮件单号过长，请核对。"))
    now = timezone.now()
    window = delivery_worker.proposer_window(reply, handed_on)
    common = {"at": now, "handed_on": handed_on, "recorded_by": actor, "feedback_until": window}
    if tracking_number:
        fire(row, "record_posting", by=actor, tracking_number=tracking_number, **common)
    else:
        fire(row, "record_handover", by=actor, **common)
    delivery_worker.reached(row, timezone.make_aware(datetime.combine(handed_on, time(12))))
    return row


def _check_handed_on(reply, handed_on):
    if handed_on is None:
        raise ActionRefused(_("请填写交付或寄出日期。"))
    if handed_on > timezone.localdate():
        raise ActionRefused(_("交付或寄出日期不能晚于今天。"))
    if handed_on < timezone.localdate(reply.sent_at):
        raise ActionRefused(_("交付或寄出日期不能早于答复发出日期。"))
