"""Pages offer exactly what the verbs accept: for every stage of an item and every role, a
form shown on the item page (or in the leader's queue) ⇔ its verb, called as that person,
succeeds. Each verb is tried inside a transaction that is rolled back, so one stage's
fixture serves every action."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from responses.actions import (
    record_paper_delivery,
    resend_delivery,
    return_letter,
    save_letter,
    send_letter,
    sign_and_send_letter,
    sign_letter,
    start_letter,
    start_opinion,
    start_reply,
    submit_letter,
)
from tests import factories
from workflow.actions import (
    accept_assignment,
    assign_proposal,
    file_proposal,
    record_contact,
    request_extension,
    request_transfer,
    start_review,
    update_proposer_contacts,
)
from workflow.audit import ActionRefused
from workflow.views import REVIEW_VERBS

pytestmark = pytest.mark.django_db

FORM = re.compile(r'<form method="post" action="([^"]+)"[^>]*data-action="([a-z_]+)"')
ROLES = ("office", "lead_clerk", "lead_leader", "co_clerk", "other_clerk", "other_office")
ITEM_STAGES = (
    "received",
    "in_review",
    "filed",
    "assigned",
    "accepted",
    "both_accepted",
    "transfer_requested",
    "draft",
    "signed",
    "replied",
)


def succeeds(call):
    """Whether the verb accepts, its writes rolled back whatever happens."""
    try:
        with transaction.atomic():
            call()
            transaction.set_rollback(True)
    except (ActionRefused, PermissionDenied, TransitionNotAllowed):
        return False
    return True


@pytest.fixture
def cast(shanghai, office, kewei, clerk, leader):
    co_unit = factories.unit("上海市卫生健康委员会", shanghai, organ_code="沪卫")
    other_unit = factories.unit("上海市教育委员会", shanghai, organ_code="沪教")
    elsewhere = factories.jurisdiction("浙江省", level="province")
    return {
        "office": office,
        "lead_clerk": clerk,
        "lead_leader": leader,
        "co_clerk": factories.member(co_unit, "clerk"),
        "other_clerk": factories.member(other_unit, "clerk"),
        "other_office": factories.office_user(elsewhere),
        "lead": kewei,
        "co": co_unit,
        "spare": factories.unit("上海市民政局", shanghai, organ_code="沪民"),
    }


def build(stage, cast):
    """The item taken to `stage` through the verbs."""
    office, clerk, leader = cast["office"], cast["lead_clerk"], cast["lead_leader"]
    item = factories.proposal(office)
    if stage == "received":
        return item
    item = start_review(item, office)
    if stage == "in_review":
        return item
    item = file_proposal(item, office)
    if stage == "filed":
        return item
    lead, co = assign_proposal(item, office, lead=cast["lead"], co=[cast["co"]])
    if stage == "assigned":
        return item
    accept_assignment(lead, clerk)
    if stage == "accepted":
        return item
    accept_assignment(co, cast["co_clerk"])
    if stage == "both_accepted":
        return item
    if stage == "transfer_requested":
        request_transfer(lead, clerk, "非本单位职责")
        return item
    factories.contacted(lead, clerk)
    reply = start_reply(lead, clerk)
    reply = save_letter(reply, clerk, body="现将办理情况答复如下……", class_label="解决采纳")
    if stage == "draft":
        return item
    opinion = start_opinion(co, cast["co_clerk"])
    opinion = save_letter(opinion, cast["co_clerk"], body="会办意见")
    co_leader = factories.member(cast["co"], "leader")
    for letter, author, signer in ((opinion, cast["co_clerk"], co_leader), (reply, clerk, leader)):
        letter = submit_letter(letter, author)
        letter = sign_letter(letter, signer)
        if letter is reply and stage == "signed":
            return item
        send_letter(letter, author)
    return item


def candidates(item, cast):
    """Every form the item page can show, by its URL, with the verb it posts to."""
    today = timezone.localdate()
    found = {}
    for a in item.assignments.all():
        found[(reverse("assignment-accept", args=[a.pk]), "accept")] = lambda user, a=a: (
            accept_assignment(a, user)
        )
        found[(reverse("assignment-transfer", args=[a.pk]), "request_transfer")] = (
            lambda user, a=a: request_transfer(a, user, "非本单位职责")
        )
        found[(reverse("assignment-contact", args=[a.pk]), "record_contact")] = lambda user, a=a: (
            record_contact(a, user, contacted_on=today, method="phone", summary="电话沟通")
        )
        found[(reverse("assignment-extension", args=[a.pk]), "request_extension")] = (
            lambda user, a=a: request_extension(a, user, a.due_on + timedelta(1), "调研")
        )
        found[(reverse("letter-start", args=[a.pk]), "start_letter")] = lambda user, a=a: (
            start_letter(a, user)
        )
        for letter in [*a.replies.all(), *a.opinions.all()]:
            url = reverse("letter-send", args=[letter._meta.model_name, letter.pk])
            found[(url, "send")] = lambda user, x=letter: send_letter(x, user)
        for reply in a.replies.all():
            found.update(delivery_candidates(reply, today))

    def review(user):
        if not any(succeeds(lambda v=v: v(item, user, "理由")) for v in REVIEW_VERBS.values()):
            raise ActionRefused("")

    def assign(user):
        has_lead = item.assignments.current().filter(role="lead").exists()
        unit = {"co": [cast["spare"]]} if has_lead else {"lead": cast["spare"]}
        assign_proposal(item, user, **unit)

    for person in item.proposers.all():  # 登记联系方式, on the 提出人 card
        url = reverse("item-proposer-contacts", args=[item.pk, person.pk])
        found[(url, "update_proposer_contacts")] = lambda user, p=person: update_proposer_contacts(
            user, p, email="checked@example.org"
        )
    found[(reverse("office-review", args=[item.pk]), "review")] = review
    found[(reverse("office-assign", args=[item.pk]), "assign")] = assign
    return found


def delivery_candidates(reply, today):
    """送达: resending each email or text, sending by a channel with no row yet, and
    recording paper for each proposer of the item."""
    found = {}
    for d in reply.deliveries.all():
        found[(reverse("delivery-resend", args=[d.pk]), "resend_delivery")] = lambda user, d=d: (
            resend_delivery(user, d)
        )
    for person in reply.assignment.proposal.proposers.all():
        args = [reply.pk, person.pk]
        found[(reverse("delivery-paper", args=args), "record_paper_delivery")] = (
            lambda user, p=person: record_paper_delivery(user, reply, p, today)
        )
        send_by = reverse("delivery-send-by", args=args)
        found[(send_by, "resend_delivery")] = lambda user, p=person: _send_by_any_channel(
            user, reply, p
        )
    return found


def _send_by_any_channel(user, reply, person):
    """The page offers sending by each channel with no row yet; any accepted will do."""
    for channel in ("email", "sms"):
        if succeeds(
            lambda c=channel: resend_delivery(user, reply=reply, proposer=person, channel=c)
        ):
            return
    raise ActionRefused("")


def shown(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code in (200, 403), url
    return set(FORM.findall(response.content.decode())) if response.status_code == 200 else set()


@pytest.mark.parametrize("stage", ITEM_STAGES)
def test_the_item_page_offers_what_the_verbs_accept(client, cast, stage):
    item = build(stage, cast)
    for role in ROLES:
        user = cast[role]
        on_page = shown(client, user, reverse("item", args=[item.pk]))
        forms = candidates(item, cast)
        assert on_page <= set(forms), (stage, role, on_page - set(forms))
        for key, verb in forms.items():
            accepted = succeeds(lambda verb=verb, user=user: verb(user))
            offered = key in on_page
            assert offered == accepted, (stage, role, key, "offered" if offered else "hidden")


@pytest.mark.parametrize("author", ["clerk", "leader"])
@pytest.mark.parametrize("stage", ["submitted", "signed"])
def test_the_leader_queue_offers_what_the_verbs_accept(client, cast, stage, author):
    """The lead unit's leader sees its letters with the leader; one they wrote themselves
    (four eyes) is shown without the sign buttons."""
    clerk, leader = cast["lead_clerk"], cast["lead_leader"]
    writer = clerk if author == "clerk" else leader
    item = build("accepted", cast)
    lead = item.assignments.get(unit=cast["lead"])
    factories.contacted(lead, clerk)
    reply = start_reply(lead, writer)
    reply = save_letter(reply, writer, body="答复如下……", class_label="解决采纳")
    with pytest.MonkeyPatch.context() as patch:  # the co-handler's opinion is not awaited
        patch.setattr(
            type(reply),
            "blocking_opinions",
            lambda self, today=None: self.outstanding_opinions().none(),
        )
        reply = submit_letter(reply, writer)
        if stage == "signed":
            second = factories.member(cast["lead"], "leader")
            reply = sign_letter(reply, second)
        revision = reply.revisions.count()
        sign_url = reverse("letter-sign", args=["reply", reply.pk])
        forms = {
            (sign_url, "sign"): lambda: sign_letter(reply, leader, seen_revision=revision),
            (sign_url, "sign_and_send"): lambda: sign_and_send_letter(
                reply, leader, seen_revision=revision
            ),
            (reverse("letter-return", args=["reply", reply.pk]), "return_letter"): lambda: (
                return_letter(reply, leader, "改", seen_revision=revision)
            ),
        }
        on_page = shown(client, leader, reverse("leader-queue"))
        for key, verb in forms.items():
            assert (key in on_page) == succeeds(verb), (stage, author, key)
