"""Every step of the work tells exactly the people the registry names, once: the clerks of a
new assignment, a unit of the office's decisions, a drafter of a returned draft (with the
leader's comment), the leaders of a submission, a lead unit of an opinion, the unit and the
office of feedback (不满意: the leaders too), the unit of a reopened item (with the complaint
and the new deadline), of 催办 and of a reply about to be published. And round two starts
from round one: its ratings and comments on top, the previous reply as the new draft."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from responses import tasks as response_tasks
from responses.actions import (
    record_feedback,
    return_letter,
    save_letter,
    send_letter,
    sign_letter,
    start_opinion,
    start_reply,
    submit_letter,
)
from responses.models import Rating
from tests import factories
from workflow import actions, deadlines
from workflow.models import Notification, UnitMembership
from workflow.notices import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(shanghai, office, kewei, clerk, leader):
    other = factories.unit("上海市卫生健康委员会", shanghai, organ_code="沪卫")
    people = SimpleNamespace(
        office=office,
        kewei=kewei,
        clerk=clerk,
        leader=leader,
        clerk2=factories.member(kewei, username="clerk2", name="李二"),
        other=other,
        other_clerk=factories.member(other, username="other_clerk"),
        other_leader=factories.member(other, UnitMembership.Role.LEADER, username="other_leader"),
    )
    for person in (office, clerk, leader, people.clerk2, people.other_clerk, people.other_leader):
        person.email = f"{person.username}@example.org"
        person.save()
    return people


def told(event):
    """Who holds a notice of `event`, by username, each once."""
    names = Notification.objects.filter(event=event).values_list("recipient__username", flat=True)
    names = list(names)
    assert len(names) == len(set(names)), f"someone was told twice: {names}"
    return sorted(names)


def mailed(mailoutbox, title_part):
    return sorted(m.to[0].split("@")[0] for m in mailoutbox if title_part in m.subject)


def draft(w, callbacks):
    with callbacks(execute=True):
        assignment = factories.accepted(w.office, w.clerk, w.kewei)
        factories.contacted(assignment, w.clerk)
        reply = start_reply(assignment, w.clerk)
        return save_letter(reply, w.clerk, body="现将办理情况答复如下……", class_label="解决采纳")


def test_a_new_assignment_tells_the_units_clerks_once(
    w, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        item = factories.filed(w.office)
        (assignment,) = actions.assign_proposal(item, w.office, lead=w.kewei)
    assert told(Event.ASSIGNED) == ["clerk", "clerk2"]
    assert mailed(mailoutbox, "新交办") == ["clerk", "clerk2"]
    notice = Notification.objects.filter(event=Event.ASSIGNED).first()
    assert item.reference in notice.title and str(assignment.due_on) in notice.body
    assert notice.link == f"/items/{item.pk}/"


def test_the_offices_decisions_tell_the_unit_that_asked(
    w, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assignment = factories.accepted(w.office, w.clerk, w.kewei)
        transfer = actions.request_transfer(assignment, w.clerk, "不属于本单位职责")
        actions.decide_transfer(transfer, w.office, approve=False, comment="请继续办理")
    assert told(Event.TRANSFER_DECIDED) == ["clerk", "clerk2", "leader"]
    notice = Notification.objects.get(event=Event.TRANSFER_DECIDED, recipient=w.leader)
    assert "未同意" in notice.title and "请继续办理" in notice.body
    due = assignment.due_on + timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        extension = actions.request_extension(assignment, w.clerk, due, "需要实地调研")
        actions.decide_extension(extension, w.office, approve=True)
    assert told(Event.EXTENSION_DECIDED) == ["clerk", "clerk2", "leader"]
    notice = Notification.objects.get(event=Event.EXTENSION_DECIDED, recipient=w.clerk)
    assert "已同意" in notice.title and str(due) in notice.body
    assert mailed(mailoutbox, "延期申请已同意") == ["clerk", "clerk2", "leader"]


def test_a_submission_tells_the_leaders_and_a_return_tells_who_sent_it_up(
    w, mailoutbox, django_capture_on_commit_callbacks
):
    reply = draft(w, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        submit_letter(reply, w.clerk2)  # a colleague sends it up
    assert told(Event.SUBMITTED) == ["leader"]
    assert mailed(mailoutbox, "待签发") == ["leader"]
    with django_capture_on_commit_callbacks(execute=True):
        return_letter(reply, w.leader, "请补充资金支持的具体数额")
    assert told(Event.DRAFT_RETURNED) == ["clerk2"]
    notice = Notification.objects.get(event=Event.DRAFT_RETURNED)
    assert (
        "请补充资金支持的具体数额" in notice.body and notice.link == f"/letters/reply/{reply.pk}/"
    )
    (mail,) = [m for m in mailoutbox if "稿件被退回" in m.subject]
    assert mail.to == ["clerk2@example.org"] and "请补充资金支持的具体数额" in mail.body
    # the second round of the same draft is news again, to each once
    with django_capture_on_commit_callbacks(execute=True):
        submit_letter(reply, w.clerk2)
        return_letter(reply, w.leader, "数额仍需核实")
    assert Notification.objects.filter(event=Event.SUBMITTED, recipient=w.leader).count() == 2
    returns = Notification.objects.filter(event=Event.DRAFT_RETURNED).order_by("id")
    assert [n.recipient.username for n in returns] == ["clerk2", "clerk2"]
    assert "数额仍需核实" in returns[1].body
    assert mailed(mailoutbox, "稿件被退回") == ["clerk2", "clerk2"]


def test_a_returned_draft_nobody_else_sent_goes_to_its_drafter(
    w, django_capture_on_commit_callbacks
):
    reply = draft(w, django_capture_on_commit_callbacks)
    submit_letter(reply, w.clerk)
    return_letter(reply, w.leader, "改")
    assert told(Event.DRAFT_RETURNED) == ["clerk"]


def test_an_opinion_sent_tells_the_lead_units_clerks(
    w, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        item = factories.filed(w.office)
        lead, co = actions.assign_proposal(item, w.office, lead=w.kewei, co=[w.other])
        actions.accept_assignment(co, w.other_clerk)
        opinion = start_opinion(co, w.other_clerk)
        opinion = save_letter(opinion, w.other_clerk, body="会办意见正文")
        submit_letter(opinion, w.other_clerk)
        sign_letter(opinion, w.other_leader)
        send_letter(opinion, w.other_clerk)
    assert told(Event.OPINION_SENT) == ["clerk", "clerk2"]
    assert mailed(mailoutbox, "会办意见已送达") == ["clerk", "clerk2"]


def sent(w, callbacks):
    reply = draft(w, callbacks)
    with callbacks(execute=True):
        submit_letter(reply, w.clerk)
        sign_letter(reply, w.leader)
        return send_letter(reply, w.clerk)


def test_satisfied_feedback_tells_the_clerks_and_the_office(
    w, mailoutbox, django_capture_on_commit_callbacks
):
    reply = sent(w, django_capture_on_commit_callbacks)
    (proposer,) = reply.assignment.proposal.proposers.all()
    with django_capture_on_commit_callbacks(execute=True):
        record_feedback(
            reply, proposer, handling=Rating.SATISFIED, result=Rating.BASIC, comment="感谢"
        )
    assert told(Event.FEEDBACK_RECEIVED) == ["clerk", "clerk2", "office"]
    assert told(Event.FEEDBACK_UNSATISFIED) == [] and told(Event.REOPENED) == []
    body = Notification.objects.filter(event=Event.FEEDBACK_RECEIVED).first().body
    assert "对办理工作：满意" in body and "对办理结果：基本满意" in body and "感谢" in body
    assert mailed(mailoutbox, "收到征询意见") == ["clerk", "clerk2", "office"]


def test_unsatisfied_feedback_reopens_and_tells_the_leaders_with_the_complaint(
    w, mailoutbox, django_capture_on_commit_callbacks
):
    reply = sent(w, django_capture_on_commit_callbacks)
    (proposer,) = reply.assignment.proposal.proposers.all()
    with django_capture_on_commit_callbacks(execute=True):
        record_feedback(
            reply,
            proposer,
            handling=Rating.BASIC,
            result=Rating.UNSATISFIED,
            comment="资金扶持没有落实",
        )
    assert told(Event.FEEDBACK_UNSATISFIED) == ["clerk", "clerk2", "leader", "office"]
    assert told(Event.REOPENED) == ["clerk", "clerk2", "leader"]
    reopened = Notification.objects.get(event=Event.REOPENED, recipient=w.leader)
    assignment = reply.assignment.__class__.objects.get(pk=reply.assignment_id)
    assert "资金扶持没有落实" in reopened.body and str(assignment.due_on) in reopened.body
    assert "第2轮" in reopened.title
    assert mailed(mailoutbox, "不满意评价") == ["clerk", "clerk2", "leader", "office"]
    assert mailed(mailoutbox, "重新办理") == ["clerk", "clerk2", "leader"]


def test_an_urge_is_one_notice_and_one_mail_per_member(
    w, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record = actions.urge(w.office, w.kewei, "请于本周内答复")
    assert told(Event.URGED) == ["clerk", "clerk2", "leader"]
    assert mailed(mailoutbox, "催办") == ["clerk", "clerk2", "leader"]
    assert record.notified_at is not None  # the old mail task has nothing left to send
    response_tasks.redeliver.apply()
    assert len(mailoutbox) == 3


def test_a_reply_about_to_be_published_tells_the_clerks_and_the_office_once(
    w, django_capture_on_commit_callbacks
):
    reply = sent(w, django_capture_on_commit_callbacks)
    today = timezone.localdate()
    assert response_tasks.announce_publication_due(today) == 0  # weeks away
    proposal = reply.assignment.proposal
    rules = deadlines.rules_for(proposal.session.jurisdiction, proposal.kind)
    in_force = reply.publication_due(rules, deadlines.WorkingCalendar())
    day = in_force - timedelta(days=2)
    assert response_tasks.announce_publication_due(day) == 1
    assert response_tasks.announce_publication_due(day + timedelta(days=1)) == 0
    assert told(Event.PUBLICATION_DUE) == ["clerk", "clerk2", "office"]
    assert str(in_force) in Notification.objects.filter(event=Event.PUBLICATION_DUE)[0].body


def reopened(w, callbacks, comment="资金扶持没有落实"):
    first = sent(w, callbacks)
    proposer = first.assignment.proposal.proposers.get()
    record_feedback(
        first, proposer, handling=Rating.BASIC, result=Rating.UNSATISFIED, comment=comment
    )
    return first


def test_round_two_starts_from_round_one(client, w, django_capture_on_commit_callbacks):
    first = reopened(w, django_capture_on_commit_callbacks)
    assignment = first.assignment.__class__.objects.get(pk=first.assignment_id)
    second = start_reply(assignment, w.clerk)
    assert second.round == 2 and second.pk != first.pk
    assert second.body == first.body and second.class_label == first.class_label
    assert second.addressee == first.addressee and second.title == first.title
    assert second.doc_number == "" and second.signer_name == "" and second.letter_date is None
    client.force_login(w.clerk)
    for url in (f"/letters/reply/{second.pk}/", f"/items/{first.assignment.proposal_id}/"):
        page = client.get(url).content.decode()
        top = page.split('class="card callout warn earlier-feedback"')[1].split("</section>")[0]
        assert "第1轮答复的提出人反馈" in top
        assert "对办理工作" in top and "基本满意" in top and "不满意" in top
        assert "资金扶持没有落实" in top
    # the office sees it too; a first-round item shows nothing of the kind
    client.force_login(w.office)
    assert (
        "earlier-feedback" in client.get(f"/items/{first.assignment.proposal_id}/").content.decode()
    )
    fresh = factories.accepted(w.office, w.clerk, w.kewei)
    client.force_login(w.clerk)
    assert "earlier-feedback" not in client.get(f"/items/{fresh.proposal_id}/").content.decode()


def test_a_comments_own_full_stop_is_not_doubled_in_the_notice():
    from responses.actions.feedback import ratings_text
    from responses.models import Feedback

    text = ratings_text(
        Feedback(handling_rating="satisfied", result_rating="basic", comment="希望进一步落实。")
    )
    assert text.endswith("意见建议：希望进一步落实") and "。" not in text
