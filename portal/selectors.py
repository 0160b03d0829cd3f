"""Who signs in for a proposer (a mobile's proposer or group contact), and the reads of the
filing pages (drafts, invitations). What a proposer's account may see of their items lives
one app down (responses.proposer_selectors), so the proposers' API asks the same rule; it is
imported here for the portal's pages."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.models import BODY_OF_PROPOSER, MOBILE, Proposer, Session
from responses.proposer_selectors import (  # noqa: F401 — the portal's pages ask these
    STANDS,
    course,
    is_proposer_account,
    is_staff_account,
    items_of,
    my_items,
    proposer_of,
    reply_for,
    reply_state,
    sent_replies,
    stands,
)
from responses.textsearch import similar_for_title
from workflow import selectors as workflow_selectors
from workflow.models import CoSignature, CoSignatureState, FilingDraft, FilingDraftState
from workflow.proposer_dispatch import contact_way
from workflow.proposer_notices import chosen_way

from .models import ContactPerson, Invitation


def clean_mobile(text):
    """The eleven digits of a mainland mobile typed any way (spaces, +86), or ""."""
    digits = "".join(ch for ch in str(text) if "0" <= ch <= "9")
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if MOBILE.fullmatch(digits) else ""


@dataclass
class Signer:
    """Who a mobile belongs to: a proposer (at the mobile registered with it), or a group's
    named contact (at their own). Each is one identity with its own account."""

    proposer: Proposer
    contact: ContactPerson | None = None

    @property
    def user(self):
        return self.contact.user if self.contact else self.proposer.user

    @property
    def name(self):
        return self.contact.name if self.contact else self.proposer.name

    @property
    def key(self):
        """How the choice page names this identity (checked against the verified mobile's)."""
        return f"contact-{self.contact.pk}" if self.contact else f"proposer-{self.proposer.pk}"

    @property
    def label(self):
        """Who this identity is, in words that tell two apart and show no one's contacts."""
        if self.contact:
            return _("%(name)s（%(group)s联系人）") % {
                "name": self.contact.name,
                "group": self.proposer.name,
            }
        where = self.proposer.affiliation or self.proposer.jurisdiction or ""
        what = " · ".join(str(part) for part in (self.proposer.get_kind_display(), where) if part)
        return f"{self.proposer.name}（{what}）"


def signers_for_mobile(mobile):
    """Every identity the office registered this mobile for: proposers at their own mobile
    (a group's registered mobile signs in as the group) and groups' named contacts at theirs.
    Two or more when, say, a couple of deputies share one phone, or a deputy is also their
    party's contact: then whoever proves the mobile chooses which to act as."""
    if not mobile:
        return []
    people = [
        p
        for p in Proposer.objects.filter(phone__contains=mobile[-4:])
        .select_related("user", "jurisdiction")
        .order_by("pk")
        if p.mobile == mobile
    ]
    contacts = ContactPerson.objects.filter(mobile=mobile).select_related("proposer", "user")
    return [Signer(p) for p in people] + [Signer(c.proposer, c) for c in contacts.order_by("pk")]


def signers_with_password(mobile, password):
    """The identities at this mobile whose own account has this password (each identity has
    its own account, and its own password from its own invitation)."""
    return [
        s
        for s in signers_for_mobile(mobile)
        if s.user and s.user.is_active and s.user.check_password(password)
    ]


def shared_mobiles(proposers):
    """For the office's 提出人 card: each proposer's named contacts, and for each mobile of
    theirs (their own, their contacts') registered for more identities too, who the others
    are, as {proposer pk: {"contacts": [...], "shared": [(mobile, [labels])]}}. Three queries
    whatever the number of proposers. Identities of other jurisdictions are counted, not
    named: their contacts are another office's."""
    proposers = list(proposers)
    contacts = list(ContactPerson.objects.filter(proposer__in=proposers).order_by("pk"))
    mobiles = {p.mobile for p in proposers if p.mobile} | {c.mobile for c in contacts}
    others = _signers_of_mobiles(mobiles)
    found = {p.pk: {"contacts": [], "shared": []} for p in proposers}
    for contact in contacts:
        found[contact.proposer_id]["contacts"].append(contact)
    for person in proposers:
        own = [(person.mobile, f"proposer-{person.pk}")] if person.mobile else []
        own += [(c.mobile, f"contact-{c.pk}") for c in found[person.pk]["contacts"]]
        for mobile, key in own:
            rest = [s for s in others.get(mobile, []) if s.key != key]
            if rest:
                found[person.pk]["shared"].append((mobile, _named(rest, person)))
    return found


def _signers_of_mobiles(mobiles):
    """{mobile: [Signer]} for these mobiles, in two queries."""
    by_mobile = {m: [] for m in mobiles}
    if not mobiles:
        return by_mobile
    near = Q()
    for mobile in mobiles:
        near |= Q(phone__contains=mobile[-4:])
    for person in Proposer.objects.filter(near).select_related("jurisdiction").order_by("pk"):
        if person.mobile in by_mobile:
            by_mobile[person.mobile].append(Signer(person))
    contacts = ContactPerson.objects.filter(mobile__in=mobiles).select_related("proposer")
    for contact in contacts.order_by("pk"):
        by_mobile[contact.mobile].append(Signer(contact.proposer, contact))
    return by_mobile


def _named(signers, person):
    here = [s.label for s in signers if s.proposer.jurisdiction_id == person.jurisdiction_id]
    elsewhere = len(signers) - len(here)
    if elsewhere:
        here.append(_("其他地区%(n)d个身份") % {"n": elsewhere})
    return here


def contact_of(user):
    """The named contact this account is (with their group), or None for a proposer's own."""
    return ContactPerson.objects.filter(user=user).select_related("proposer").first()


def notice_way_of(proposer, contact=None):
    """The 通知方式 the settings page shows: a named contact's own, else the proposer's."""
    if contact is None:
        return chosen_way(proposer)
    return contact_way((contact.mobile, contact.email, contact.notice_way))[0]


# ---- 网上提交: the proposer's drafts and the invitations to co-sign ---------------------------
def my_drafts(user):
    """我的草稿: the drafts this account leads (for itself or its group), newest first, with
    their co-signers' answers; a submitted one links to its item."""
    return list(
        FilingDraft.objects.filter(lead__in=Proposer.objects.acted_for_by(user).values("pk"))
        .select_related("session", "proposal")
        .prefetch_related(
            Prefetch("cosignatures", queryset=CoSignature.objects.select_related("proposer"))
        )
    )


def invitations(user):
    """待我确认的联名: the invitations waiting for this account's answer, soonest due first."""
    return list(workflow_selectors.invitations_for(user))


def filing_windows(proposer, on=None):
    """The sessions this proposer may file in today, and when none is open, the next window
    the office has set for their body (None when none is known)."""
    on = on or timezone.localdate()
    open_now = list(workflow_selectors.sessions_open_to(proposer, on).order_by("-year", "pk"))
    later = Session.objects.filter(jurisdiction_id=proposer.jurisdiction_id, filing_opens_on__gt=on)
    if body := BODY_OF_PROPOSER.get(proposer.kind):
        later = later.filter(body=body)
    upcoming = None if open_now else later.order_by("filing_opens_on").first()
    return open_now, upcoming


def draft_for(user, pk):
    """A draft this account leads or was invited to co-sign; 404 for any other (another
    proposer's draft is not there)."""
    rows = FilingDraft.objects.seen_by(user).select_related("session__jurisdiction", "lead")
    return get_object_or_404(rows.prefetch_related("suggested_units", "attachments"), pk=pk)


def draft_page(draft, user):
    """What the draft's page shows this account: as its lead, what they may do now; as an
    invited co-signer, their own invitation (and whether they may still answer)."""
    rows = list(draft.cosignatures.select_related("proposer").order_by("position"))
    is_lead = draft.lead.is_acted_for_by(user)
    mine = None
    if not is_lead:
        acting = set(Proposer.objects.acted_for_by(user).values_list("pk", flat=True))
        mine = next((row for row in rows if row.proposer_id in acting), None)
    state = draft.state
    awaiting = state == FilingDraftState.AWAITING_COSIGNERS
    return {
        "draft": draft,
        "cosignatures": rows,
        "is_lead": is_lead,
        "mine": mine,
        "may_answer": bool(mine and awaiting and mine.is_open()),
        "may_edit": is_lead and draft.is_editable,
        "may_invite": is_lead and state == FilingDraftState.DRAFTING,
        "may_submit": is_lead and (state == FilingDraftState.DRAFTING or awaiting),
        "returned": state == FilingDraftState.RETURNED,
        "may_resubmit": is_lead and state == FilingDraftState.RETURNED,
        "signers": [draft.lead]
        + [row.proposer for row in rows if row.state == CoSignatureState.CONFIRMED],
        "still_open": sum(row.is_open() for row in rows),
        # the lead and the confirmed co-signers are the item's proposers: they follow it
        "follows_item": bool(draft.proposal_id)
        and (is_lead or (mine is not None and mine.state == CoSignatureState.CONFIRMED)),
    }


def draft_behind(proposal, user):
    """The online draft this item came from, when this account leads it (the lead revises a
    returned item there); None for a co-signer or an item registered another way."""
    leads = Proposer.objects.acted_for_by(user).values("pk")
    return FilingDraft.objects.filter(proposal=proposal, lead__in=leads).first()


def may_invite(draft, user):
    """Whether this account may ask co-signers now (ask_cosigners accepts it): the lead,
    while drafting. Anyone else but the lead is refused outright (PermissionDenied)."""
    if not draft.lead.is_acted_for_by(user):
        raise PermissionDenied
    return draft.state == FilingDraftState.DRAFTING


def similar_earlier(title, body=""):
    """The similar-case check while a proposer types a title: earlier items with a published
    letter, and those letters (a proposer works in no office or unit)."""
    return similar_for_title(title, body) if title.strip() else []


def cosigner_choice(draft, picked, query=""):
    """The co-signers chosen so far (in order) and the candidates to add: whom the lead may
    ask (workflow's cosigner_candidates), found by name, at most twenty at a time."""
    candidates = workflow_selectors.cosigner_candidates(draft)
    by_pk = candidates.in_bulk(picked)
    chosen = [by_pk[pk] for pk in dict.fromkeys(picked) if pk in by_pk]
    more = candidates.exclude(pk__in=list(by_pk)).only("pk", "name", "kind", "affiliation")
    if query.strip():
        more = more.filter(name__contains=query.strip())
    return {"chosen": chosen, "more": list(more.order_by("name", "pk")[:20]), "query": query}


# ---- the office ---------------------------------------------------------------------------
def register(roles, query=""):
    """提出人名册: the proposers of the office's jurisdictions, found by name or affiliation,
    each with when they were last invited (their account's last sign-in is on `user`), so the
    office can invite one who has filed nothing yet."""
    last_invited = (
        Invitation.objects.filter(proposer=OuterRef("pk"))
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    rows = Proposer.objects.filter(jurisdiction_id__in=roles.office_jurisdiction_ids)
    if query.strip():
        rows = rows.filter(Q(name__contains=query.strip()) | Q(affiliation__contains=query.strip()))
    rows = rows.select_related("user").annotate(invited_at=Subquery(last_invited))
    return rows.order_by("name", "pk")
