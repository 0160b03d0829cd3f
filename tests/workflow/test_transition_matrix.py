"""Every (state, transition, role) of every state machine: allowed exactly where the rules
say, forbidden everywhere else. Guards and permissions are checked as the workflow checks
them (`has_transition_perm`), on rows whose other conditions are met."""

import itertools

import pytest
from django.contrib.auth.models import AnonymousUser
from django_fsm import has_transition_perm

from proposals.models import Proposal, ProposalState
from responses.models import LetterState, Opinion, Reply
from tests import factories
from workflow.models import Assignment, AssignmentState, Decision, TransferRequest

pytestmark = pytest.mark.django_db

ROLES = ["office", "clerk", "leader", "other_unit_clerk", "anonymous"]
UNIT = {"clerk", "leader"}
OFFICE = {"office"}
NOBODY = set()

PROPOSAL_RULES = {
    # transition: (source states, roles)
    "start_review": ({"received", "returned"}, OFFICE),
    "file": ({"in_review"}, OFFICE),  # a suggestion: from received (see below)
    "reject": ({"in_review"}, OFFICE),
    "merge": ({"in_review"}, OFFICE),
    # (an item filed online also from receipt: tests/workflow/test_filing.py)
    "return_for_revision": ({"in_review"}, OFFICE),
    "resubmit": ({"returned"}, NOBODY),  # the proposer's resubmission of their draft
    "convert": ({"in_review"}, OFFICE),
    "assign": ({"filed"}, OFFICE),
    "start_handling": ({"assigned"}, NOBODY),
    "mark_replied": ({"assigned", "in_handling", "reopened"}, NOBODY),
    "close": ({"replied"}, NOBODY),
    "reopen": ({"replied", "closed"}, NOBODY),
}
ASSIGNMENT_RULES = {
    "accept": ({"pending"}, UNIT),
    "request_transfer": ({"pending", "accepted"}, UNIT),
    "approve_transfer": ({"transfer_requested"}, OFFICE),
    "reject_transfer": ({"transfer_requested"}, OFFICE),
    "mark_replied": ({"accepted", "reopened"}, NOBODY),
    "mark_opinion_sent": (set(), NOBODY),  # a lead assignment never sends an opinion
    "lapse": (set(), NOBODY),
    "complete": ({"replied", "opinion_sent"}, NOBODY),
    "reopen": ({"replied", "done"}, NOBODY),
}
LETTER_RULES = {
    "submit": ({"draft", "returned"}, UNIT),
    "return_for_revision": ({"submitted"}, {"leader"}),
    "sign": ({"submitted"}, {"leader"}),  # the clerk drafted it: four eyes
    "send": ({"signed"}, UNIT),
    "publish": ({"sent"}, UNIT | OFFICE),  # disclosure is 全文 here
    "withhold": (set(), NOBODY),  # …so it is never withheld
    "withdraw": ({"published"}, OFFICE),
}
DECISION_RULES = {
    "approve": ({"pending"}, OFFICE),
    "reject": ({"pending"}, OFFICE),
}


@pytest.fixture
def world(office, kewei, clerk, leader):
    other = factories.unit("上海市教育委员会", organ_code="沪教")
    users = {
        "office": office,
        "clerk": clerk,
        "leader": leader,
        "other_unit_clerk": factories.member(other, "clerk"),
        "anonymous": AnonymousUser(),
    }
    assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(assignment, clerk)
    return users, assignment


def transitions_of(model):
    field = model._meta.get_field("state")
    return {t.name for t in field.get_all_transitions(model)}


def check(rules, model, states, build, users):
    assert set(rules) == transitions_of(model), "the table must list every transition"
    failures = []
    for state, name, role in itertools.product(states, rules, ROLES):
        obj = build(state)
        allowed = has_transition_perm(getattr(obj, name), users[role])
        sources, roles = rules[name]
        expected = state in sources and role in roles
        if allowed != expected:
            failures.append(f"{model.__name__}.{name} from {state} by {role}: {allowed}")
    assert not failures, "\n".join(failures)
    return len(states) * len(rules) * len(ROLES)


# Suggestions skip review: they are registered (file) straight from receipt.
SUGGESTION_RULES = {
    **PROPOSAL_RULES,
    "start_review": (set(), NOBODY),
    "file": ({"received", "in_review"}, OFFICE),
}


@pytest.mark.parametrize(
    ("kind", "rules"), [("proposal", PROPOSAL_RULES), ("suggestion", SUGGESTION_RULES)]
)
def test_proposal_machine(world, kind, rules):
    users, assignment = world
    item = assignment.proposal
    other = factories.filed(users["office"])

    def build(state):
        return Proposal(
            pk=item.pk,
            kind=kind,
            session=item.session,
            number=item.number,
            state=state,
            review_reason="理由",
            merged_into=other,
        )

    assert check(rules, Proposal, ProposalState.values, build, users) == 12 * 12 * 5


def test_assignment_machine(world):
    users, assignment = world

    def build(state):
        return Assignment(
            pk=assignment.pk,
            proposal=assignment.proposal,
            unit=assignment.unit,
            role="lead",
            state=state,
            due_on=assignment.due_on,
            transfer_until=assignment.transfer_until,
        )

    check(ASSIGNMENT_RULES, Assignment, AssignmentState.values, build, users)


@pytest.mark.parametrize("model", [Reply, Opinion])
def test_letter_machine(world, model):
    users, assignment = world
    clerk = users["clerk"]
    extra = {"lead_unit": assignment.unit} if model is Opinion else {}

    def build(state):
        return model(
            assignment=assignment,
            state=state,
            title="标题",
            addressee="章毅委员",
            body="正文",
            class_label="解决采纳",
            disclosure="full",
            drafted_by=clerk,
            signing_organ="市科委",
            **extra,
        )

    check(LETTER_RULES, model, LetterState.values, build, users)
    assert transitions_of(Reply) == transitions_of(Opinion) == set(LETTER_RULES)


def test_transfer_request_machine(world):
    users, assignment = world

    def build(state):
        return TransferRequest(assignment=assignment, reason="理由", state=state)

    check(DECISION_RULES, TransferRequest, Decision.values, build, users)


def test_a_leader_cannot_sign_a_letter_they_drafted(world):
    users, assignment = world
    leader = users["leader"]
    reply = Reply(
        assignment=assignment,
        state="submitted",
        title="t",
        addressee="a",
        body="b",
        class_label="解决采纳",
        drafted_by=leader,
        signing_organ="市科委",
    )
    assert not has_transition_perm(reply.sign, leader)


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ({"disclosure": "withheld", "withheld_reason": ""}, "不予公开"),
        ({"disclosure": "summary", "summary": ""}, "摘要"),
        ({"class_label": ""}, "办理结果类别"),
    ],
)
def test_sign_guards_name_the_rule(world, fields, rule):
    users, assignment = world
    values = {
        "title": "t",
        "addressee": "a",
        "body": "b",
        "class_label": "解决采纳",
        "disclosure": "full",
        **fields,
    }
    reply = Reply(
        assignment=assignment,
        state="submitted",
        drafted_by=users["clerk"],
        signing_organ="x",
        **values,
    )
    assert not has_transition_perm(reply.sign, users["leader"])
    assert any(rule in str(problem) for problem in reply.sign_blockers())
