"""The portal's verbs: the proposers' accounts (invitations, sign-in codes, a named
contact's 通知方式)."""

from .accounts import (
    MobileMustWait,
    accept_invitation,
    add_contact_person,
    choose_contact_notice_way,
    invite_proposer,
    open_invitation,
    send_sign_in_code,
    sign_in_as,
    sign_in_with_code,
)

__all__ = [
    "MobileMustWait",
    "accept_invitation",
    "add_contact_person",
    "choose_contact_notice_way",
    "invite_proposer",
    "open_invitation",
    "send_sign_in_code",
    "sign_in_as",
    "sign_in_with_code",
]
