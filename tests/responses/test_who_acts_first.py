"""Who acts is checked before anything is said: someone of another unit or jurisdiction who
posts to a verb gets a bare 403, never the object's state, its blockers or its content."""

from datetime import date, timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from responses.actions import (
    publish_letter,
    return_letter,
    save_letter,
    send_letter,
    sign_letter,
    start_reply,
    submit_letter,
    withdraw_publication,
)
from responses.models import Reply
from tests import factories
from workflow.actions import (
    accept_assignment,
    assign_proposal,
    decide_transfer,
    merge_proposal,
    request_extension,
    request_transfer,
    start_review,
    urge,
)
from workflow.models import Assignment, TransferRequest

pytestmark = pytest.mark.django_db

CO_UNIT = "上海市药品监督管理局"
TITLE = "关于进一步扶持干细胞治疗产业发展的提案"


@pytest.fixture
def world(office, kewei, clerk, leader):
    """Letters and assignments of 科委 in several states, and people outside it."""
    co_unit = factories.unit(CO_UNIT, organ_code="沪药监")
    item = factories.filed(office)
    lead, _co = assign_proposal(item, office, lead=kewei, co=[co_unit])
    lead = accept_assignment(lead, clerk)
    # A draft whose submission is blocked: a co-handler's opinion is due, no result class.
    blocked = start_reply(lead, clerk)

    # A submitted letter, first submission, not yet signable (dated after today).
    other_item = factories.accepted(office, clerk, kewei, title="关于加快建设科创中心的提案")
    factories.contacted(other_item, clerk)
    submitted = start_reply(other_item, clerk)
    later = timezone.localdate() + timedelta(days=3)
    submitted = save_letter(
        submitted, clerk, body="现答复如下。", class_label="解决采纳", letter_date=later
    )
    submitted = submit_letter(submitted, clerk)

    sent = factories.sent_reply(office, clerk, leader, kewei, title="关于优化营商环境的提案")
    late = factories.accepted(office, clerk, kewei, title="关于完善养老服务的提案")
    Assignment.objects.filter(pk=late.pk).update(transfer_until=date(2024, 1, 2))
    transfer = request_transfer(
        factories.accepted(office, clerk, kewei, title="关于公共交通的提案"), clerk, "非本单位职责"
    )

    elsewhere = factories.unit("上海市教育委员会", organ_code="沪教")
    zhejiang = factories.jurisdiction("浙江省", level="province")
    return {
        "item": item,
        "lead": lead,
        "blocked": blocked,
        "submitted": submitted,
        "sent": sent,
        "late": late,
        "transfer": transfer,
        "outsider": factories.member(elsewhere, "clerk", username="outsider"),
        "outsider_leader": factories.member(elsewhere, "leader", username="outsider_leader"),
        "other_office": factories.office_user(zhejiang, username="zhejiang"),
    }


def attempts(w):
    """(who, url, data, what the refusal must not say) for every verb a page posts to."""
    blocked, submitted, sent = w["blocked"], w["submitted"], w["sent"]
    lead, late = w["lead"], w["late"]
    proposer = w["item"].proposers.get()
    return [
        (
            "outsider",
            f"/letters/reply/{blocked.pk}/submit",
            {},
            [CO_UNIT, "会办单位意见", "办理结果类别", "草稿"],
        ),
        (
            "outsider_leader",
            f"/letters/reply/{submitted.pk}/sign",
            {"revision": "9", "send": "1"},
            ["第1稿", "成文日期", "待签发", "科创中心"],
        ),
        (
            "outsider_leader",
            f"/letters/reply/{submitted.pk}/return",
            {"revision": "9", "comment": "退回"},
            ["第1稿", "待签发", "科创中心"],
        ),
        ("outsider", f"/letters/reply/{submitted.pk}/send", {}, ["已签发", "待签发"]),
        ("outsider", f"/letters/reply/{submitted.pk}/publish", {}, ["已发出", "公开属性"]),
        (
            "other_office",
            f"/letters/reply/{sent.pk}/withdraw",
            {"reason": "误公开"},
            ["营商环境", "已发出", sent.doc_number],
        ),
        ("outsider", f"/work/assignments/{lead.pk}/accept", {}, ["已签收", "已调整"]),
        (
            "outsider",
            f"/work/assignments/{late.pk}/transfer",
            {"reason": "非本单位职责"},
            ["调整申请期限", "2024-01-02"],
        ),
        (
            "outsider",
            f"/work/assignments/{lead.pk}/extension",
            {"requested_due": (lead.due_on - timedelta(days=1)).isoformat(), "reason": "来不及"},
            ["现期限", lead.due_on.isoformat()],
        ),
        (
            "outsider",
            f"/work/assignments/{lead.pk}/contact",
            {
                "contacted_on": "2024-03-01",
                "method": "phone",
                "proposer": proposer.pk,
                "summary": "电话",
            },
            [proposer.name],
        ),
        (
            "other_office",
            f"/office/proposals/{w['item'].pk}/review",
            {"verb": "merge", "merge_into": "99999", "reason": "并案"},
            ["案号", TITLE],
        ),
        (
            "other_office",
            "/office/urge",
            {"unit": lead.unit_id, "proposal": w["item"].pk, "message": "请抓紧"},
            ["未承办", TITLE],
        ),
        (
            "other_office",
            f"/office/transfers/{w['transfer'].pk}/decide",
            {"approve": "yes", "comment": "同意"},
            ["公共交通", "非本单位职责"],
        ),
    ]


def snapshot(w):
    return (
        list(Reply.objects.order_by("pk").values_list("state", "signer_id", "doc_number")),
        list(Assignment.objects.order_by("pk").values_list("state", "due_on")),
        list(TransferRequest.objects.values_list("state")),
    )


def test_an_outsider_is_refused_before_anything_is_said(client, world):
    before = snapshot(world)
    failures = []
    tries = [(*a, extra) for a in attempts(world) for extra in ({}, {"confirmed": "1"})]
    for who, url, data, secrets, extra in tries:  # before the page that asks first, and past it
        client.force_login(world[who])
        response = client.post(url, data | extra, headers={"referer": "/work/"})
        said = [str(m) for m in get_messages(response.wsgi_request)]
        # What the refusal says, not the header: a leader's own menu holds 待签发.
        page = response.content.decode()
        body = page.partition("<main>")[2] or page
        body += "\n".join(said)
        if response.status_code != 403:
            failures.append(f"{who} {url}: {response.status_code}, expected 403")
        failures += [f"{who} {url}: says {s!r}" for s in secrets if s and s in body]
    assert not failures, "\n".join(failures)
    assert snapshot(world) == before


def test_the_verbs_ask_who_first(world, office, clerk):
    """The same at the verbs: PermissionDenied, never a refusal that describes the object."""
    w = world
    outsider, outsider_leader = w["outsider"], w["outsider_leader"]
    calls = [
        lambda: submit_letter(w["blocked"], outsider),
        lambda: sign_letter(w["submitted"], outsider_leader, seen_revision=9),
        lambda: return_letter(w["submitted"], outsider_leader, "退回", seen_revision=9),
        lambda: send_letter(w["submitted"], outsider),
        lambda: publish_letter(w["submitted"], outsider),
        lambda: withdraw_publication(w["sent"], w["other_office"], "误公开"),
        lambda: save_letter(w["sent"], outsider, body="篡改"),
        lambda: accept_assignment(w["lead"], outsider),
        lambda: request_transfer(w["late"], outsider, "非本单位职责"),
        lambda: request_extension(w["lead"], outsider, w["lead"].due_on, "来不及"),
        lambda: start_review(w["item"], w["other_office"]),
        lambda: merge_proposal(w["item"], w["other_office"], w["item"]),
        lambda: urge(w["other_office"], w["lead"].unit, "请抓紧", w["item"]),
        lambda: decide_transfer(w["transfer"], w["other_office"], approve=True),
    ]
    for number, call in enumerate(calls):
        with pytest.raises(PermissionDenied, match="权限|只有"):
            call()
        assert number >= 0
    # The people of the unit still hear the rule that stops them.
    from workflow.audit import ActionRefused

    with pytest.raises(ActionRefused, match=CO_UNIT):
        submit_letter(save_letter(w["blocked"], clerk, body="答复", class_label="解决采纳"), clerk)
