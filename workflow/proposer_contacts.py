"""A proposer's contacts as the office types them (the intake page, the API, the Excel
import): what a typed proposer is (`ProposerEntry`), what makes contacts wrong
(`contact_problems`), and the words a sheet may use for a channel. Below the verbs and
the import, which all ask it."""

import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from proposals.models import Proposer

CONTACT_FIELDS = ("phone", "email", "address", "preferred_channel")
# Proposers of one item (the lead and co-signers): the intake page's rows, the API and the
# Excel import refuse more, never keep the first ones silently.
MAX_PROPOSERS = 50


def too_many_proposers():
    return _("提出人不能超过%(n)d位，请删减后再登记。") % {"n": MAX_PROPOSERS}


def typed_mobile(text):
    """A mobile as typed, in its normal form (11 ASCII digits), or "" when it is not one.
    Fullwidth digits count as digits (NFKC), and anything between them (spaces, dashes,
    “手机：”) is passed over; another script's digits (which str.isdigit accepts) are not
    digits of a phone number, so a number holding them is not a mobile."""
    text = unicodedata.normalize("NFKC", text or "")
    if any(ch.isdigit() and not "0" <= ch <= "9" for ch in text):
        return ""
    return Proposer(phone="".join(ch for ch in text if "0" <= ch <= "9")).mobile


# Where a person records a proposer's contacts: every refusal asking for one names it.
CONTACTS_RECORDED_AT = gettext_lazy("该件页面“提出人”栏该提出人名下的“登记联系方式”")


@dataclass
class ProposerEntry:
    """One proposer as typed at intake (the page, the API): who, their contacts, and the
    office's answer when namesakes are on record: `same_as` an existing proposer's id, or
    `new_person`. Typed contacts replace recorded ones only with `update_contacts`."""

    name: str
    kind: str
    affiliation: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    preferred_channel: str = ""
    same_as: int | None = None
    new_person: bool = False
    update_contacts: bool = False

    def contacts(self):
        return {f: getattr(self, f) for f in CONTACT_FIELDS}


def contact_problems(phone="", email="", address="", preferred_channel=""):
    """{field: what is wrong} of contacts as typed: a mobile must be a mainland mobile, an
    email an address, and the preferred channel one whose contact is given."""
    probe = Proposer(phone=typed_mobile(phone), email=email, address=address)
    problems = {}
    if phone and not probe.mobile:
        problems["phone"] = _("手机号码应为中国大陆手机号（11位，如 13912345678）。")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems["email"] = _("电子邮箱格式不正确。")
    limit = Proposer._meta.get_field("address").max_length
    if len(address) > limit:
        problems["address"] = _("通信地址不能超过%(n)d个字。") % {"n": limit}
    if preferred_channel and preferred_channel not in probe.channels:
        problems["preferred_channel"] = _("首选送达方式须有相应的联系方式（邮箱、手机或地址）。")
    return problems


# How a sheet may write a preferred channel (首选送达方式).
CHANNEL_WORDS = {
    "邮件": Proposer.Channel.EMAIL,
    "电子邮件": Proposer.Channel.EMAIL,
    "邮箱": Proposer.Channel.EMAIL,
    "email": Proposer.Channel.EMAIL,
    "短信": Proposer.Channel.SMS,
    "手机短信": Proposer.Channel.SMS,
    "sms": Proposer.Channel.SMS,
    "纸质": Proposer.Channel.PAPER,
    "纸质送达": Proposer.Channel.PAPER,
    "邮寄": Proposer.Channel.PAPER,
    "paper": Proposer.Channel.PAPER,
}


def fill_blanks(person, contacts):
    """The typed contacts into the fields `person` has empty (never over what is there);
    the preferred channel only when its contact is then present. Returns the fields set."""
    changed = []
    for field in ("phone", "email", "address"):
        if contacts.get(field) and not getattr(person, field):
            setattr(person, field, contacts[field])
            changed.append(field)
    wanted = contacts.get("preferred_channel")
    if wanted and not person.preferred_channel and wanted in person.channels:
        person.preferred_channel = wanted
        changed.append("preferred_channel")
    return changed


# Contacts shown where the whole value is not needed (the Excel check, a confirmation page):
# enough to recognise the person, not to copy the number or address.
def masked(phone):
    """139****9741."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 8 else phone


def masked_email(address):
    """z***@example.org."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"
