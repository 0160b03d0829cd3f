"""Test data built through the real workflow functions, as users would build it."""

import itertools
from datetime import date

from django.utils import timezone

from proposals.classification import Scheme
from proposals.models import BODY_OF_KIND, Jurisdiction, Proposal, Proposer, Session, User
from responses.actions import (
    add_commitment,
    save_letter,
    send_letter,
    sign_letter,
    start_reply,
    submit_letter,
)
from workflow.actions import (
    accept_assignment,
    add_office_member,
    add_unit_member,
    assign_proposal,
    file_proposal,
    receive_proposal,
    record_contact,
    start_review,
)
from workflow.models import Unit, UnitMembership

_seq = itertools.count(1)


def user(username=None, name="", **extra):
    username = username or f"user{next(_seq)}"
    return User.objects.create_user(username=username, password="pw-Banli-2024", name=name, **extra)


def jurisdiction(name="上海市", level="city", scheme=Scheme.SHANGHAI, **extra):
    style = "line" if scheme == Scheme.SHANGHAI else "plain"
    defaults = {"level": level, "scheme": scheme, "class_mark_style": style, **extra}
    return Jurisdiction.objects.get_or_create(name=name, defaults=defaults)[0]


def session(where=None, body=Session.Body.CPPCC, term=14, meeting=2, year=2024):
    where = where or jurisdiction()
    return Session.objects.get_or_create(
        jurisdiction=where, body=body, term=term, meeting=meeting, defaults={"year": year}
    )[0]


def unit(name=None, where=None, organ_code="沪科", **extra):
    where = where or jurisdiction()
    name = name or f"单位{next(_seq)}"
    return Unit.objects.get_or_create(
        jurisdiction=where,
        name=name,
        defaults={"organ_code": organ_code, "issuing_office": f"{name}办公室", **extra},
    )[0]


def office_user(where=None, username=None):
    account = user(username, name="提案处干部")
    add_office_member(account, where or jurisdiction())
    return User.objects.get(pk=account.pk)  # fresh: permission cache


def member(of_unit, role=UnitMembership.Role.CLERK, username=None, name=""):
    account = user(username, name=name or ("承办人" if role == "clerk" else "分管领导"))
    add_unit_member(account, of_unit, role)
    return account


def proposer(name="章毅", kind=Proposer.Kind.MEMBER, **extra):
    """A proposer a reply can reach: by email, unless the test gives other contacts (a reply
    is not sent while a proposer has none; pass email="" and no other for one without)."""
    if not any(key in extra for key in ("email", "phone", "address")):
        extra["email"] = f"proposer{next(_seq)}@example.org"
    return Proposer.objects.create(name=name, kind=kind, **extra)


PROPOSER_OF_KIND = {
    Proposal.Kind.PROPOSAL: Proposer.Kind.MEMBER,
    Proposal.Kind.SUGGESTION: Proposer.Kind.DEPUTY,
}


def proposal(office, *, sess=None, number=None, kind=Proposal.Kind.PROPOSAL, proposers=None, **kw):
    sess = sess or session(body=BODY_OF_KIND[kind])  # a 建议 in a people's congress session
    return receive_proposal(
        office,
        session=sess,
        number=number or str(1000 + next(_seq)),
        title=kw.pop("title", "关于进一步扶持干细胞治疗产业发展的提案"),
        kind=kind,
        proposers=proposers or [proposer(kind=PROPOSER_OF_KIND[kind])],
        **kw,
    )


def filed(office, **kw):
    item = proposal(office, **kw)
    if item.kind == Proposal.Kind.PROPOSAL:
        item = start_review(item, office)
    return file_proposal(item, office)


def accepted(office, clerk, lead_unit, at=None, **kw):
    """An item filed, assigned to `lead_unit` and signed for by `clerk`."""
    item = filed(office, **kw)
    (assignment,) = assign_proposal(item, office, lead=lead_unit, at=at)
    return accept_assignment(assignment, clerk, at=at)


def contacted(assignment, clerk, on=date(2024, 4, 1)):
    return record_contact(
        assignment, clerk, contacted_on=on, method="phone", summary="电话沟通办理思路"
    )


def signed_reply(
    office, clerk, leader, lead_unit, proposers=None, class_label="解决采纳", drafted_at=None, **kw
):
    """A reply drafted (at `drafted_at`, if not now), submitted and signed by `leader`, not yet
    sent to `proposers`; one that promises work promises it for the year it was drafted."""
    assignment = accepted(office, clerk, lead_unit, proposers=proposers, **kw)
    contacted(assignment, clerk)
    reply = start_reply(assignment, clerk, at=drafted_at)
    reply = save_letter(reply, clerk, body="现将办理情况答复如下……", class_label=class_label)
    if reply.promises_work():  # 正在解决/计划解决 is signed only with its commitments
        add_commitment(
            reply,
            clerk,
            what="年内完成相关工作",
            due_kind="year",
            promised_on=date(timezone.localdate(reply.created_at).year, 12, 1),
        )
    reply = submit_letter(reply, clerk)
    return sign_letter(reply, leader)


def sent_reply(office, clerk, leader, lead_unit, class_label="解决采纳", **kw):
    reply = signed_reply(office, clerk, leader, lead_unit, class_label=class_label, **kw)
    return send_letter(reply, clerk)


def just_active(client):
    """As if the signed-in user had made a request a moment ago: the idle clock
    (config.accounts.IdleTimeoutMiddleware) writes the session at most once a minute, and a
    test that counts a page's queries measures the page, not that write."""
    import time

    session = client.session
    session["banli_last_seen"] = int(time.time())
    session.save()
