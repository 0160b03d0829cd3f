"""The proposers' accounts: the office invites (a one-time link to set a password), and a
proposer signs in with a one-time code sent by SMS to the mobile the office registered.

Each verb is one transaction; secrets are kept only as hashes; messages leave on commit."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from proposals.models import Proposer, User
from workflow import sms
from workflow.audit import ActionRefused, lock, log
from workflow.permissions import require_office

from .. import selectors
from ..models import ContactPerson, Invitation, SignInCode, digest

INVITATION_DAYS = 7
CODE_MINUTES = 10
CODE_WRONG_TRIES = 5  # then the code is spent and a new one must be asked for
CODES_PER_MOBILE = (3, timedelta(minutes=15))  # at most this many in this long
CODES_PER_ADDRESS = (10, timedelta(hours=1))


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
@transaction.atomic
def send_sign_in_code(mobile, ip_address=None):
    """短信验证码: six digits, good for CODE_MINUTES minutes and once. Asked too often for one
    mobile or from one address, refused. Unknown numbers are answered alike (no code leaves),
    so the page tells nobody which numbers are registered."""
    mobile = selectors.clean_mobile(mobile)
    if not mobile:
        raise ActionRefused(_("请输入有效的手机号码。"))
    now = timezone.now()
    _within_limits(mobile, ip_address, now)
    code = f"{secrets.randbelow(10**6):06d}"
    SignInCode.objects.filter(mobile=mobile, used_at__isnull=True).update(expires_at=now)
    SignInCode.objects.create(
        mobile=mobile,
        code_hash=digest(f"{mobile}:{code}"),
        ip_address=ip_address,
        created_at=now,
        expires_at=now + timedelta(minutes=CODE_MINUTES),
    )
    signer = selectors.signer_for_mobile(mobile)
    if signer is not None:
        text = _("您的登录验证码为%(code)s，%(minutes)d分钟内有效。如非本人操作，请忽略。") % {
            "code": code,
            "minutes": CODE_MINUTES,
        }
        transaction.on_commit(lambda: sms.backend().send(mobile, text))


def _within_limits(mobile, ip_address, now):
    count, span = CODES_PER_MOBILE
    if SignInCode.objects.filter(mobile=mobile, created_at__gt=now - span).count() >= count:
        raise ActionRefused(
            _("验证码发送过于频繁，请%(minutes)d分钟后再试。")
            % {"minutes": int(span.total_seconds() // 60)}
        )
    count, span = CODES_PER_ADDRESS
    if (
        ip_address
        and SignInCode.objects.filter(ip_address=ip_address, created_at__gt=now - span).count()
        >= count
    ):
        raise ActionRefused(_("本网络请求验证码过于频繁，请稍后再试。"))


@dataclass
class CodeCheck:
    user: object = None  # the account signed in, when the code was right
    problem: str = ""  # else why not, in words for the proposer


@transaction.atomic
def sign_in_with_code(mobile, code):
    """The code typed: the account it signs in (made at the first sign-in), or the problem.
    A wrong code counts against it; after CODE_WRONG_TRIES it is spent. The code is spent on
    success too. (The caller counts wrong codes for django-axes' lockout as well.)"""
    mobile = selectors.clean_mobile(mobile)
    code = "".join(str(code).split())
    row = (
        SignInCode.objects.select_for_update()
        .filter(mobile=mobile, used_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-created_at")
        .first()
    )
    if row is None:
        return CodeCheck(problem=_("验证码已过期或已使用，请重新获取。"))
    signer = selectors.signer_for_mobile(mobile)
    if signer is None or not constant_time_compare(row.code_hash, digest(f"{mobile}:{code}")):
        row.wrong_tries += 1
        if row.wrong_tries >= CODE_WRONG_TRIES:
            row.expires_at = timezone.now()
        row.save(update_fields=["wrong_tries", "expires_at"])
        return CodeCheck(problem=_("验证码不正确。"))
    row.used_at = timezone.now()
    row.save(update_fields=["used_at"])
    try:
        user = account_for(signer)
    except ActionRefused as refusal:
        return CodeCheck(problem=str(refusal))
    if not user.is_active:
        return CodeCheck(problem=_("此账号不能从提出人入口登录。"))
    log(signer.proposer, "sign_in_by_code", user, "", "", signer.name)
    return CodeCheck(user=user)
