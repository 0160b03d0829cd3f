"""Every page, download and endpoint × every role × own/other/published/withheld object:
each cell has its expected answer. Drafts, contacts and withheld replies never leak."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser

from responses import actions as letters
from responses.links import feedback_url
from tests import factories
from workflow import actions, reminders
from workflow.models import Assignment, ReminderDigest

pytestmark = pytest.mark.django_db
ROLES = ["anonymous", "clerk", "leader", "other_unit", "office", "admin"]
PHONE = "13900001111"


@pytest.fixture
def world(office, kewei, clerk, leader):
    other_unit = factories.unit("上海市教育委员会", organ_code="沪教")
    person = factories.proposer("文彬", kind="deputy", phone=PHONE)
    draft_item = factories.filed(office, proposers=[person])
    (own,) = actions.assign_proposal(draft_item, office, lead=kewei)
    actions.accept_assignment(own, clerk)
    draft = letters.start_reply(own, clerk)
    letters.save_letter(draft, clerk, body="内部草稿：尚未签发", class_label="解决采纳")
    published = factories.sent_reply(office, clerk, leader, kewei, proposers=[person])
    letters.publish_letter(published, clerk)
    assignment = factories.accepted(office, clerk, kewei, proposers=[person])
    factories.contacted(assignment, clerk)
    withheld = letters.start_reply(assignment, clerk)
    letters.save_letter(
        withheld,
        clerk,
        body="不予公开的答复",
        class_label="留作参考",
        disclosure="withheld",
        withheld_reason="privacy",
    )
    letters.submit_letter(withheld, clerk)
    letters.sign_letter(withheld, leader)
    withheld = letters.send_letter(withheld, clerk)
    reminders.sweep(today=assignment.due_on - timedelta(days=1))  # the clerk's digest
    digest = ReminderDigest.objects.get(recipient=clerk)
    admin = factories.user("root", is_staff=True, is_superuser=True)
    users = {
        "anonymous": AnonymousUser(),
        "clerk": clerk,
        "leader": leader,
        "other_unit": factories.member(other_unit, "clerk"),
        "office": office,
        "admin": admin,
    }
    return {
        "users": users,
        "item": draft_item,
        "draft": draft,
        "published": published,
        "withheld": withheld,
        "own": own,
        "person": person,
        "digest": digest,
    }


OK, LOGIN, FORBIDDEN, MISSING, BACK = 200, 302, 403, 404, "back"


def row(anonymous, clerk, leader, other_unit, office, admin):
    return dict(zip(ROLES, [anonymous, clerk, leader, other_unit, office, admin], strict=True))


OFFICE_ONLY = row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN)
UNIT_ONLY = row(LOGIN, OK, OK, OK, FORBIDDEN, FORBIDDEN)
EVERYONE = row(OK, OK, OK, OK, OK, OK)
SIGNED_IN = row(LOGIN, OK, OK, OK, OK, OK)
OWN_UNIT_AND_OFFICE = row(LOGIN, OK, OK, FORBIDDEN, OK, FORBIDDEN)
SIGNED_IN_WORKERS = row(LOGIN, OK, OK, OK, OK, FORBIDDEN)

MATRIX = [
    ("/work/", UNIT_ONLY),
    ("/review/", row(LOGIN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN)),
    ("/office/monitor/", OFFICE_ONLY),
    ("/office/monitor/export.xlsx", OFFICE_ONLY),
    ("/office/proposals/", OFFICE_ONLY),
    ("/office/proposals/new", OFFICE_ONLY),
    ("/office/requests/", OFFICE_ONLY),
    ("/office/publication/", OFFICE_ONLY),
    ("/office/import/", OFFICE_ONLY),
    ("/office/proposals/import/", OFFICE_ONLY),
    ("/office/proposals/import/template.xlsx", OFFICE_ONLY),
    ("/office/proposals/export.xlsx", OFFICE_ONLY),
    ("/office/requests/export.xlsx", OFFICE_ONLY),
    ("/office/publication/export.xlsx", OFFICE_ONLY),
    ("/office/statistics/", OFFICE_ONLY),
    ("/office/statistics/export.xlsx", OFFICE_ONLY),
    ("/office/statistics/summary.docx", OFFICE_ONLY),
    ("/work/export.xlsx", UNIT_ONLY),
    ("/search/?q=草稿", SIGNED_IN_WORKERS),
    ("/search/?q=草稿&kind=replies", SIGNED_IN_WORKERS),
    ("/search/export.xlsx?q=草稿", SIGNED_IN_WORKERS),
    ("/public/?q=草稿", EVERYONE),
    ("/api/schema/", EVERYONE),
    ("/api/docs/", EVERYONE),
    ("/api/token/", SIGNED_IN),
    ("/api/public/replies/", EVERYONE),
    ("/api/public/replies/{published}/", EVERYONE),
    ("/api/public/replies/{withheld}/", row(*[MISSING] * 6)),
    ("/api/proposals/", row(FORBIDDEN, OK, OK, OK, OK, OK)),
    ("/api/proposals/{item}/", row(FORBIDDEN, OK, OK, MISSING, OK, MISSING)),
    ("/api/replies/{draft}/", row(FORBIDDEN, OK, OK, MISSING, OK, MISSING)),
    ("/notifications/", SIGNED_IN),
    ("/reminders/{digest}/", row(LOGIN, OK, MISSING, MISSING, MISSING, MISSING)),
    ("/status/", EVERYONE),
    ("/healthz", EVERYONE),
    ("/public/", EVERYONE),
    ("/items/{item}/", OWN_UNIT_AND_OFFICE),
    ("/letters/reply/{draft}/", row(LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN)),
    ("/letters/reply/{draft}/preview", row(LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN)),
    ("/letters/reply/{draft}/file.docx", OWN_UNIT_AND_OFFICE),
    ("/letters/reply/{withheld}/file.docx", OWN_UNIT_AND_OFFICE),
    ("/public/replies/{published}/", EVERYONE),
    ("/public/replies/{withheld}/", row(*[MISSING] * 6)),
    ("/public/replies/{draft}/", row(*[MISSING] * 6)),
    ("/public/replies/{withheld}.pdf", row(*[MISSING] * 6)),
    ("/admin/", row(LOGIN, LOGIN, LOGIN, LOGIN, OK, OK)),
    ("/admin/responses/reply/", row(LOGIN, LOGIN, LOGIN, LOGIN, OK, OK)),
]


def answer(client, user, url):
    client.logout()
    if user.is_authenticated:
        client.force_login(user)
    response = client.get(url)
    if response.status_code == 302 and "/login/" in response.url:
        return LOGIN, response
    if response.status_code == 302:
        return BACK, response
    return response.status_code, response


def test_the_access_matrix(client, world):
    ids = {k: world[k].pk for k in ("item", "draft", "published", "withheld", "digest")}
    failures, cells = [], 0
    for pattern, expected in MATRIX:
        url = pattern.format(**ids)
        for role in ROLES:
            got, response = answer(client, world["users"][role], url)
            cells += 1
            if got != expected[role]:
                failures.append(f"{url} as {role}: {got}, expected {expected[role]}")
            body = response.content if response.get("Content-Type", "").startswith("text/") else b""
            if role in ("anonymous", "other_unit", "admin") and "内部草稿".encode() in body:
                failures.append(f"{url} as {role}: shows another unit's draft")
            if url.startswith(("/public", "/healthz", "/status")) and PHONE.encode() in body:
                failures.append(f"{url} as {role}: shows a proposer's phone")
    assert not failures, "\n".join(failures)
    print(f"ACCESS MATRIX {cells} cells")


def test_contact_details_only_for_the_office_and_handling_units(client, world):
    url = f"/items/{world['item'].pk}/"
    for role, shown in (("clerk", True), ("office", True)):
        client.force_login(world["users"][role])
        assert (PHONE in client.get(url).content.decode()) is shown


def test_forbidden_actions_change_nothing(client, world):
    other = world["users"]["other_unit"]
    pending = Assignment.objects.filter(state="pending").first()
    if pending is None:
        pending = actions.assign_proposal(
            factories.filed(world["users"]["office"]),
            world["users"]["office"],
            lead=world["own"].unit,
        )[0]
    client.force_login(other)
    client.post(f"/work/assignments/{pending.pk}/accept")
    client.post(f"/letters/reply/{world['draft'].pk}/submit")
    client.post(f"/letters/reply/{world['draft'].pk}/", {"body": "篡改"})
    assert Assignment.objects.get(pk=pending.pk).state == "pending"
    draft = type(world["draft"]).objects.get(pk=world["draft"].pk)
    assert draft.state == "draft" and "篡改" not in draft.body


def test_the_proposer_link_opens_only_its_own_reply(client, world):
    url = feedback_url(world["published"], world["person"])
    assert client.get(url).status_code == 200
    assert client.get(url[:-3] + "xyz/").status_code == 400
