"""Who signs in for a proposer (a mobile's proposer or group contact). What a proposer's
account may see lives one app down (responses.proposer_selectors), so the proposers' API
asks the same rule; it is imported here for the portal's pages."""

from dataclasses import dataclass

from proposals.models import MOBILE, Proposer
from responses.proposer_selectors import (  # noqa: F401 — the portal's pages ask these
    STANDS,
    course,
    is_proposer_account,
    items_of,
    my_items,
    proposer_of,
    reply_for,
    reply_state,
    sent_replies,
    stands,
)

from .models import ContactPerson


def clean_mobile(text):
    """The eleven digits of a mainland mobile typed any way (spaces, +86), or ""."""
    digits = "".join(ch for ch in str(text) if "0" <= ch <= "9")
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if MOBILE.fullmatch(digits) else ""


@dataclass
class Signer:
    """Who a mobile belongs to: a proposer (at the mobile registered with it), or a group's
    named contact (at their own)."""

    proposer: Proposer
    contact: ContactPerson | None = None

    @property
    def user(self):
        return self.contact.user if self.contact else self.proposer.user

    @property
    def name(self):
        return self.contact.name if self.contact else self.proposer.name


def signer_for_mobile(mobile):
    """The one proposer (or group contact) the office registered this mobile for; None when
    there is none, or more than one (the office must tell them apart first). A group's own
    registered mobile signs in as the group, as its named contacts' do."""
    if not mobile:
        return None
    contacts = list(ContactPerson.objects.filter(mobile=mobile).select_related("proposer", "user"))
    people = [
        p
        for p in Proposer.objects.filter(phone__contains=mobile[-4:]).select_related("user")
        if p.mobile == mobile
    ]
    found = [Signer(c.proposer, c) for c in contacts] + [Signer(p) for p in people]
    return found[0] if len(found) == 1 else None
