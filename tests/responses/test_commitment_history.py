"""The item's history names every step of a commitment in the page's language: no verb's
bare name, and a draft follow-up reply's report reads as proposed, not as a change of state."""

import ast
import inspect
from datetime import date

import pytest
from django.conf import settings

from responses.actions import (
    add_commitment,
    commitments,
    confirm_commitment,
    save_letter,
    send_letter,
    sign_letter,
    start_follow_up,
    start_reply,
    submit_letter,
    suggest_commitments,
)
from responses.actions import report_commitment as report
from responses.models import Commitment
from responses.templatetags.letters import COMMITMENT_TRANSITION_LABELS, TRANSITION_LABELS
from tests import factories

VERBS = ("suggest_commitments", "add_commitment", "report_commitment", "record_look_back")


def logged_names():
    """(name, kind) of every log()/fire() with a written name in the commitment verbs, the
    kind read from the object logged ("commitment" or another)."""
    names = set()
    for node in ast.walk(ast.parse(inspect.getsource(commitments))):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("log", "fire")):
            continue
        obj, name = node.args[0], node.args[1]
        kind = "commitment" if getattr(obj, "id", "") == "commitment" else "reply"
        literals = [name] if isinstance(name, ast.Constant) else []
        if isinstance(name, ast.Name):  # fire(commitment, name, …): the names assigned to it
            literals = [
                c
                for assign in ast.walk(ast.parse(inspect.getsource(commitments)))
                if isinstance(assign, ast.Assign)
                and any(getattr(t, "id", "") == name.id for t in assign.targets)
                for c in ast.walk(assign.value)
                if isinstance(c, ast.Constant) and isinstance(c.value, str)
            ]
        names |= {(c.value, kind) for c in literals}
    return names


def test_every_logged_commitment_verb_has_a_label():
    names = logged_names()
    assert {(verb, kind) for verb, kind in names if verb in VERBS} >= {
        ("suggest_commitments", "commitment"),
        ("add_commitment", "commitment"),
        ("report_commitment", "commitment"),
        ("record_look_back", "reply"),
    }
    fsm = {
        (name, "commitment")
        for name, method in inspect.getmembers(Commitment)
        if hasattr(method, "_django_fsm")
    }
    assert fsm and names >= {("deliver", "commitment"), ("approve_drop", "commitment")}
    for name, kind in names | fsm:
        labels = COMMITMENT_TRANSITION_LABELS if kind == "commitment" else TRANSITION_LABELS
        assert name in labels, (name, kind)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_history_labels_every_commitment_step(client, office, clerk, leader, kewei, language):
    assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(assignment, clerk)
    body = "经研究，现答复如下。下一步我局计划于2030年底前完成全部改造。"
    reply = save_letter(start_reply(assignment, clerk), clerk, body=body, class_label="正在解决")
    found = suggest_commitments(reply, clerk)
    added = add_commitment(
        reply, clerk, what="开展专项调研", due_kind="date", promised_on=date(2030, 6, 30)
    )
    confirm_commitment(
        found[0], clerk, what=found[0].what, due_kind="year", promised_on=date(2030, 12, 1)
    )
    send_letter(sign_letter(submit_letter(reply, clerk), leader), clerk)
    report(start_follow_up(assignment, clerk), added, clerk, outcome="delivered", note="已调研")
    client.force_login(clerk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(f"/items/{assignment.proposal_id}/").content.decode()
    for verb in VERBS[:3]:
        assert verb not in page
    if language == "en":
        return
    assert "从正文中查找承诺" in page and "添加承诺事项" in page
    assert "拟报告落实情况：落实中" in page and "已落实：已调研" in page
    assert "落实中 → 已落实" not in page
