"""The portal's verbs: the proposers' accounts (invitations, sign-in codes)."""

from .accounts import (
    accept_invitation,
    add_contact_person,
    invite_proposer,
    open_invitation,
    send_sign_in_code,
    sign_in_with_code,
)

__all__ = [
    "accept_invitation",
    "add_contact_person",
    "invite_proposer",
    "open_invitation",
    "send_sign_in_code",
    "sign_in_with_code",
]
