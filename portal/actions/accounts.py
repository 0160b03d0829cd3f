"""The proposers' accounts: the office invites (a one-time link to set a password), and a
proposer signs in with a one-time code sent by SMS to the mobile the office registered.

Each verb is one transaction; secrets are kept only as hashes; messages leave on commit."""

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from proposals.models import Proposer, User
from workflow import sms
from workflow.audit import ActionRefused, lock, log
from workflow.models import ProposerNoticeWay
from workflow.permissions import require_office

from .. import selectors
from ..models import ContactPerson, Invitation, SignInCode, digest

INVITATION_DAYS = 7
CODE_MINUTES = 10
CODE_WRONG_TRIES = 5  # then the code is spent and a new one must be asked for
CODES_CHECKED = 3  # a typed code is checked against the mobile's latest this many live codes
# Per mobile, a short wait between codes rather than a lockout (anyone may type a deputy's
# number, and a block would keep the deputy out), and a cap on the day's texts (the bill).
RESEND_SECONDS = 60
CODES_PER_MOBILE_PER_DAY = (20, timedelta(days=1))
# Per address, strict: in all, and for any one mobile (so no single address spends a
# mobile's day of codes; the day's cap takes several).
CODES_PER_ADDRESS = (10, timedelta(hours=1))
CODES_PER_ADDRESS_AND_MOBILE = (5, timedelta(days=1))


def _new_user(username, name, mobile="", email=""):
    user = User(username=username, name=name, phone=mobile, email=email)
    user.set_unusable_password()  # no password until the proposer sets one
    user.save()
    return user


def account_for(signer):
    """The signer's account, made the first time it is needed: the proposer's own is
    Proposer.user (a person's, or a group's at its registered mobile); a named contact's was
    made with the contact."""
    if signer.contact is not None:
        return signer.contact.user
    proposer = lock(Proposer, signer.proposer.pk)
    if proposer.user_id is None:
        # An account made earlier and since unlinked (a merge, an old admin edit) is theirs
        # again rather than a second one under the same name.
        username = f"proposer-{proposer.pk}"
        proposer.user = User.objects.filter(username=username).first() or _new_user(
            username, proposer.name, proposer.mobile
        )
        proposer.save(update_fields=["user"])
    if selectors.is_staff_account(proposer.user):
        raise ActionRefused(_("此账号不能从提出人入口登录。"))
    return proposer.user


@transaction.atomic
def add_contact_person(proposer, actor, *, name, mobile, email=""):
    """A named contact who acts for a group proposer, with their own account."""
    proposer = lock(Proposer, proposer.pk)
    require_office(actor, proposer.jurisdiction)
    if proposer.is_person:
        raise ActionRefused(_("个人提出人本人登录，无需另设联系人。"))  # one person, one account
    mobile = selectors.clean_mobile(mobile)
    if not mobile or not name.strip():
        raise ActionRefused(_("请填写联系人姓名和有效的手机号码。"))
    if ContactPerson.objects.filter(proposer=proposer, mobile=mobile).exists():
        raise ActionRefused(_("该手机号码已是本提出人的联系人。"))
    user = _new_user(f"contact-{proposer.pk}-{mobile}", name.strip(), mobile, email)
    contact = ContactPerson.objects.create(
        proposer=proposer, name=name.strip(), mobile=mobile, email=email, user=user
    )
    log(proposer, "add_contact_person", actor, "", "", f"{contact.name} {mobile[:3]}****")
    return contact


@transaction.atomic
def choose_contact_notice_way(contact, actor, way):
    """通知方式 of a group's named contact: how they themselves hear of the group's items'
    steps. Only the contact's own account chooses, among the ways they have an address for
    (as choose_proposer_notice_way does for a proposer)."""
    contact = lock(ContactPerson, contact.pk)
    if contact.user_id != actor.pk:
        raise PermissionDenied(_("只有提出人本人可以设置通知方式。"))
    if way not in ProposerNoticeWay.values:
        raise ActionRefused(_("请选择短信、电子邮件或不通知。"))
    if way == ProposerNoticeWay.EMAIL and not contact.email:
        raise ActionRefused(_("没有登记电子邮箱，不能选择邮件通知；请联系建议提案处。"))
    before = contact.notice_way
    if before != way:
        contact.notice_way = way
        contact.save(update_fields=["notice_way"])
        label = ProposerNoticeWay(way).label
        log(contact.proposer, "choose_notice_way", actor, before, way, f"{contact.name}：{label}")
    return contact


@transaction.atomic
def invite_proposer(proposer, actor, *, channel, contact=None):
    """邀请登录: a one-time link to set a password, valid INVITATION_DAYS days, sent by SMS to
    the registered mobile or by email. A new invitation makes the earlier unused ones void."""
    proposer = lock(Proposer, proposer.pk)
    require_office(actor, proposer.jurisdiction)
    signer = selectors.Signer(proposer, contact)
    mobile = contact.mobile if contact else proposer.mobile
    email = contact.email if contact else proposer.email
    sent_to = mobile if channel == Invitation.Channel.SMS else email
    if not sent_to:
        raise ActionRefused(_("没有登记可用的手机号码或电子邮箱，无法发送邀请。"))
    user = account_for(signer)
    if user.is_staff or user.is_superuser:
        raise ActionRefused(_("工作人员账号不能作为提出人登录。"))
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    Invitation.objects.filter(user=user, used_at__isnull=True).update(expires_at=now)
    Invitation.objects.create(
        user=user,
        proposer=proposer,
        token_hash=digest(token),
        channel=channel,
        sent_to=sent_to,
        invited_by=actor,
        created_at=now,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    log(proposer, "invite", actor, "", channel, signer.name)
    link = settings.SITE_URL + reverse("portal-welcome", args=[token])
    text = _(
        "%(name)s：建议提案办理系统邀请您登录，查看您的提案（建议）办理情况。请在%(days)d天内打开链接设置密码：%(link)s"
    ) % {
        "name": signer.name,
        "days": INVITATION_DAYS,
        "link": link,
    }
    if channel == Invitation.Channel.SMS:
        transaction.on_commit(lambda: sms.backend().send(sent_to, text))
    else:
        subject = _("建议提案办理系统登录邀请")
        transaction.on_commit(lambda: send_mail(subject, text, None, [sent_to]))
    return token


def open_invitation(token):
    """The unused, unexpired invitation behind a link, or None."""
    return (
        Invitation.objects.filter(
            token_hash=digest(token or ""), used_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("user", "proposer")
        .first()
    )


@transaction.atomic
def accept_invitation(token, password):
    """The proposer sets a password through the link; the link then works no more."""
    invitation = open_invitation(token)
    if invitation is None:
        raise ActionRefused(_("此链接无效、已使用或已过期，请联系建议提案处重新邀请。"))
    invitation = lock(Invitation, invitation.pk)
    if invitation.used_at is not None:
        raise ActionRefused(_("此链接无效、已使用或已过期，请联系建议提案处重新邀请。"))
    user = lock(User, invitation.user_id)
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    log(invitation.proposer, "accept_invitation", user, "", "", "")
    return user


# ---- sign-in by SMS code ------------------------------------------------------------------
class MobileMustWait(ActionRefused):
    """A code was sent to this mobile moments ago, or its day's codes are spent: the page
    asks for the code already sent instead (whoever asked for it, it reached the mobile)."""


@transaction.atomic
def send_sign_in_code(mobile, ip_address=None):
    """短信验证码: six digits, good for CODE_MINUTES minutes and once. An address asking too
    often (in all, or for one mobile) is refused; one mobile gets a code at most every
    RESEND_SECONDS seconds and CODES_PER_MOBILE_PER_DAY a day (the SMS bill). An earlier
    code stays good: asking again, whoever asks, never takes away a code the proposer
    holds. Unknown numbers are answered alike (no code leaves), so the page tells nobody
    which numbers are registered."""
    mobile = selectors.clean_mobile(mobile)
    if not mobile:
        raise ActionRefused(_("请输入有效的手机号码。"))
    now = timezone.now()
    _within_limits(mobile, ip_address, now)
    code = f"{secrets.randbelow(10**6):06d}"
    SignInCode.objects.create(
        mobile=mobile,
        code_hash=digest(f"{mobile}:{code}"),
        ip_address=ip_address,
        created_at=now,
        expires_at=now + timedelta(minutes=CODE_MINUTES),
    )
    if selectors.signers_for_mobile(mobile):
        text = _("您的登录验证码为%(code)s，%(minutes)d分钟内有效。如非本人操作，请忽略。") % {
            "code": code,
            "minutes": CODE_MINUTES,
        }
        transaction.on_commit(lambda: sms.backend().send(mobile, text))


def _within_limits(mobile, ip_address, now):
    from_here = SignInCode.objects.filter(ip_address=ip_address)
    (count, span), (one_count, one_span) = CODES_PER_ADDRESS, CODES_PER_ADDRESS_AND_MOBILE
    if ip_address and (
        from_here.filter(created_at__gt=now - span).count() >= count
        or from_here.filter(mobile=mobile, created_at__gt=now - one_span).count() >= one_count
    ):
        raise ActionRefused(_("本网络请求验证码过于频繁，请稍后再试。"))
    # The mobile's latest row, locked: two requests at once are counted one after the other.
    latest = (
        SignInCode.objects.select_for_update()
        .filter(mobile=mobile)
        .order_by("-created_at")
        .only("created_at")
        .first()
    )
    if (
        latest is not None
        and (wait := RESEND_SECONDS - (now - latest.created_at).total_seconds()) > 0
    ):
        raise MobileMustWait(
            _("验证码刚刚发送过，请输入短信中最近收到的验证码，或请在%(n)d秒后重新获取。")
            % {"n": max(1, round(wait))}
        )
    count, span = CODES_PER_MOBILE_PER_DAY
    if SignInCode.objects.filter(mobile=mobile, created_at__gt=now - span).count() >= count:
        raise MobileMustWait(
            _("该号码今日获取验证码的次数已达上限，请使用已收到的验证码或密码登录，或明天再试。")
        )


@dataclass
class CodeCheck:
    user: object = None  # the account signed in, when the code was right
    problem: str = ""  # else why not, in words for the proposer
    choices: list = field(default_factory=list)  # right, but the mobile is several identities'


@transaction.atomic
def sign_in_with_code(mobile, code):
    """The code typed, checked against the mobile's latest CODES_CHECKED unused, unexpired
    codes: the account it signs in (made at the first sign-in), the identities to choose
    from when the mobile is several's, or the problem. A wrong code counts against each code
    checked; after CODE_WRONG_TRIES one is spent. (The caller counts wrong codes for
    django-axes' lockout as well.)"""
    mobile = selectors.clean_mobile(mobile)
    code = "".join(str(code).split())
    now = timezone.now()
    live = SignInCode.objects.filter(mobile=mobile, used_at__isnull=True, expires_at__gt=now)
    rows = list(live.select_for_update().order_by("-created_at")[:CODES_CHECKED])
    if not rows:
        return CodeCheck(problem=_("验证码已过期或已使用，请重新获取。"))
    typed = digest(f"{mobile}:{code}")
    right = next((row for row in rows if constant_time_compare(row.code_hash, typed)), None)
    signers = selectors.signers_for_mobile(mobile)
    if right is None or not signers:
        for row in rows:
            row.wrong_tries += 1
            if row.wrong_tries >= CODE_WRONG_TRIES:
                row.expires_at = now
            row.save(update_fields=["wrong_tries", "expires_at"])
        return CodeCheck(problem=_("验证码不正确。"))
    right.used_at = now
    right.save(update_fields=["used_at"])
    live.exclude(pk=right.pk).update(expires_at=now)  # signed in: the others are not needed
    if len(signers) > 1:
        return CodeCheck(choices=signers)
    return _signed_in(signers[0], "sign_in_by_code")


@transaction.atomic
def sign_in_as(mobile, key, allowed, how="sign_in_by_code"):
    """选择身份: after the mobile was proven (a right code, or a password right for more than
    one of its identities), the identity chosen. Only one of `allowed` (what the page
    offered, kept in the session) that is still registered at this mobile."""
    signer = next(
        (s for s in selectors.signers_for_mobile(mobile) if s.key == key and key in allowed),
        None,
    )
    if signer is None:
        return CodeCheck(problem=_("请选择以哪个身份登录。"))
    return _signed_in(signer, how, chosen=True)


def _signed_in(signer, how, chosen=False):
    try:
        user = account_for(signer)
    except ActionRefused as refusal:
        return CodeCheck(problem=str(refusal))
    if not user.is_active:
        return CodeCheck(problem=_("此账号不能从提出人入口登录。"))
    comment = signer.name + (_("（同一手机号码登记了多个身份，本人选择）") if chosen else "")
    log(signer.proposer, how, user, "", "", comment)
    return CodeCheck(user=user)
