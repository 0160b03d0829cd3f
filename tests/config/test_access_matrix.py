"""Every page, download and endpoint × every role × own/other/published/withheld object:
each cell has its expected answer. Drafts, contacts and withheld replies never leak."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile

from responses import signing
from responses.actions import (
    publish_letter,
    save_letter,
    send_letter,
    sign_letter,
    start_letter_import,
    start_reply,
    submit_letter,
)
from responses.links import feedback_url
from tests import factories
from workflow import item_import as item_import_module
from workflow import reminders
from workflow.actions import OFFICE_GROUP, accept_assignment, assign_proposal, start_item_import
from workflow.models import Assignment, ReminderDigest

pytestmark = pytest.mark.django_db
ROLES = ["anonymous", "clerk", "leader", "other_unit", "office", "admin"]
PHONE = "13900001111"
COSIGNER_PHONE = "13900002222"


@pytest.fixture
def world(shanghai, office, kewei, clerk, leader):
    other_unit = factories.unit("上海市教育委员会", organ_code="沪教")
    person = factories.proposer("文彬", phone=PHONE)
    cosigner = factories.proposer("章毅", phone=COSIGNER_PHONE)
    draft_item = factories.filed(office, proposers=[person, cosigner])
    (own,) = assign_proposal(draft_item, office, lead=kewei)
    accept_assignment(own, clerk)
    draft = start_reply(own, clerk)
    save_letter(draft, clerk, body="内部草稿：尚未签发", class_label="解决采纳")
    published = factories.sent_reply(office, clerk, leader, kewei, proposers=[person, cosigner])
    publish_letter(published, clerk)
    assignment = factories.accepted(office, clerk, kewei, proposers=[person, cosigner])
    factories.contacted(assignment, clerk)
    withheld = start_reply(assignment, clerk)
    save_letter(
        withheld,
        clerk,
        body="不予公开的答复",
        class_label="留作参考",
        disclosure="withheld",
        withheld_reason="privacy",
    )
    submit_letter(withheld, clerk)
    sign_letter(withheld, leader)
    withheld = send_letter(withheld, clerk)
    reminders.sweep(today=assignment.due_on - timedelta(days=1))  # the clerk's digest
    digest = ReminderDigest.objects.get(recipient=clerk)
    admin = factories.user("root", is_staff=True, is_superuser=True)
    letter_text = "关于加快科技成果转化的提案的答复\n文彬委员：\n现答复如下。".encode()
    letter_import = start_letter_import(
        office, shanghai, [SimpleUploadedFile("letter.txt", letter_text)]
    )
    item_import = start_item_import(
        office, shanghai, SimpleUploadedFile("items.xlsx", item_import_module.template_workbook())
    )
    filing_draft, filing_attachment = online_draft(person, cosigner)
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
        "cosigner": cosigner,
        "stranger": factories.proposer("鲁民", phone="13600000000"),
        "filing_draft": filing_draft,
        "filing_attachment": filing_attachment,
        "digest": digest,
        "letter_import": letter_import,
        "item_import": item_import,
    }


def online_draft(lead, cosigner):
    """A draft filed online by `lead` (with an attachment), `cosigner` invited to co-sign, in
    the lead's session opened for filing."""
    from portal.actions.accounts import account_for
    from portal.selectors import Signer
    from proposals.models import Session
    from workflow.actions import ask_cosigners, attach_to_draft, start_draft

    session = lead.signatures.first().proposal.session
    Session.objects.filter(pk=session.pk).update(filing_opens_on=date.today() - timedelta(days=1))
    lead.refresh_from_db()
    cosigner.refresh_from_db()
    account = account_for(Signer(lead))
    draft = start_draft(account, session=session, lead=lead, title="关于网上提交的提案")
    upload = SimpleUploadedFile("调研报告.pdf", b"%PDF-1.7\n%%EOF\n")
    attachment = attach_to_draft(draft, account, upload)
    ask_cosigners(draft, account, [cosigner])
    return draft, attachment


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
    ("/office/proposers/duplicates/", OFFICE_ONLY),
    ("/office/proposers/", OFFICE_ONLY),
    (
        "/office/proposers/merge?keep={person}&duplicate={person}",
        row(LOGIN, *[FORBIDDEN] * 3, BACK, FORBIDDEN),
    ),
    ("/office/requests/", OFFICE_ONLY),
    ("/office/publication/", OFFICE_ONLY),
    ("/office/import/", OFFICE_ONLY),
    ("/office/proposals/import/", OFFICE_ONLY),
    ("/office/proposals/import/template.xlsx", OFFICE_ONLY),
    ("/office/import/{letter_import}/", OFFICE_ONLY),
    ("/office/proposals/import/{item_import}/", OFFICE_ONLY),
    ("/office/proposals/import/{item_import}/errors.xlsx", OFFICE_ONLY),
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
    ("/api/proposers/", row(FORBIDDEN, OK, OK, OK, OK, OK)),  # the office's own only
    ("/api/proposers/{person}/", row(FORBIDDEN, MISSING, MISSING, MISSING, OK, MISSING)),
    ("/api/replies/{draft}/", row(FORBIDDEN, OK, OK, MISSING, OK, MISSING)),
    ("/notifications/", SIGNED_IN),
    ("/notifications/settings/", SIGNED_IN),
    ("/reminders/{digest}/", row(LOGIN, OK, MISSING, MISSING, MISSING, MISSING)),
    ("/status/", EVERYONE),
    ("/healthz", EVERYONE),
    ("/public/", EVERYONE),
    ("/verify/", EVERYONE),
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
    # The proposers' pages: staff accounts never act as a proposer; the signed-out are sent
    # to the proposers' sign-in (BACK).
    ("/me/", row(BACK, *[FORBIDDEN] * 5)),
    ("/me/items/{item}/", row(BACK, *[FORBIDDEN] * 5)),
    ("/me/replies/{published}/", row(BACK, *[FORBIDDEN] * 5)),
    ("/me/sign-in/", row(OK, *[OK] * 5)),
    ("/me/drafts/", row(BACK, *[FORBIDDEN] * 5)),
    ("/me/drafts/new/", row(BACK, *[FORBIDDEN] * 5)),
    ("/me/drafts/similar/?title=草稿", row(BACK, *[FORBIDDEN] * 5)),
    ("/me/drafts/{filing_draft}/", row(BACK, *[FORBIDDEN] * 5)),
    ("/me/drafts/{filing_draft}/cosigners/", row(BACK, *[FORBIDDEN] * 5)),
    ("/me/drafts/{filing_draft}/attachments/{filing_attachment}", row(BACK, *[FORBIDDEN] * 5)),
    ("/me/settings/", row(BACK, *[FORBIDDEN] * 5)),
    ("/me/notices/", row(BACK, *[FORBIDDEN] * 5)),
    # The proposers' API: no staff account (nor anyone signed out) is let in.
    ("/api/me/items/", row(*[FORBIDDEN] * 6)),
    ("/api/me/items/{item}/", row(*[FORBIDDEN] * 6)),
    ("/api/me/invitations/", row(*[FORBIDDEN] * 6)),
]


def answer(client, user, url):
    client.logout()
    if user.is_authenticated:
        client.force_login(user)
    return status(client.get(url))


def status(response):
    if response.status_code == 302 and "/login/" in response.url:
        return LOGIN, response
    if response.status_code == 302:
        return BACK, response
    return response.status_code, response


MATRIX_KEYS = ("item", "draft", "published", "withheld", "digest", "letter_import", "item_import")
MATRIX_KEYS += ("person", "filing_draft", "filing_attachment")


def test_the_access_matrix(client, world):
    keys = MATRIX_KEYS
    ids = {k: world[k].pk for k in keys}
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
            api_body = response.content if url.startswith("/api/proposers") else b""
            if role != "office" and PHONE.encode() in api_body:
                failures.append(f"{url} as {role}: shows a proposer's phone")
            if url.startswith(("/public", "/healthz", "/status")) and PHONE.encode() in body:
                failures.append(f"{url} as {role}: shows a proposer's phone")
    assert not failures, "\n".join(failures)
    print(f"ACCESS MATRIX {cells} cells")


# ---- the proposer: own (the lead proposer), co-signed, other ------------------------------
PROPOSER_ROLES = ("own", "cosigned", "other")
# A proposer's session reaches the public pages as anyone does, the proposers' pages for their
# own and co-signed items only (another's is not there), and no staff page (sent to /me/).
PROPOSER_MATRIX = [
    ("/me/", (OK, OK, OK)),
    ("/me/items/{item}/", (OK, OK, MISSING)),
    ("/me/replies/{published}/", (OK, OK, MISSING)),
    ("/me/replies/{withheld}/", (OK, OK, MISSING)),  # withheld from the public, not from them
    ("/me/replies/{draft}/", (MISSING, MISSING, MISSING)),
    # 网上提交: the lead's draft, which the co-signer was invited to read and answer.
    ("/me/drafts/", (OK, OK, OK)),
    ("/me/drafts/new/", (OK, OK, OK)),
    ("/me/drafts/similar/?title=草稿", (OK, OK, OK)),
    ("/me/drafts/{filing_draft}/", (OK, OK, MISSING)),
    ("/me/drafts/{filing_draft}/cosigners/", (BACK, FORBIDDEN, MISSING)),  # asked already
    ("/me/drafts/{filing_draft}/attachments/{filing_attachment}", (OK, OK, MISSING)),
    ("/me/settings/", (OK, OK, OK)),
    ("/me/notices/", (OK, OK, OK)),
    ("/api/me/items/", (OK, OK, OK)),
    ("/api/me/items/{item}/", (OK, OK, MISSING)),
    ("/api/me/items/{published_item}/", (OK, OK, MISSING)),
    ("/api/me/invitations/", (OK, OK, OK)),
]
PROPOSER_DOORS = ("/me/", "/api/me/")
# The API's documentation is everyone's: the proposer's settings page links to it.
PUBLIC_PREFIXES = ("/public/", "/verify/", "/healthz", "/api/docs/", "/api/schema/")
# The API's routes for anyone (portal.middleware): the public replies and the feedback link.
PUBLIC_PREFIXES += ("/api/public/", "/api/feedback/")


def proposer_expected(url, anonymous):
    """What a proposer gets on a page of the staff's matrix."""
    if url.startswith(PUBLIC_PREFIXES):
        return anonymous
    if url.startswith("/api/"):
        return FORBIDDEN
    return BACK


def test_the_access_matrix_for_proposers(client, world):
    from tests.portal.helpers import as_proposer

    ids = {k: world[k].pk for k in MATRIX_KEYS}
    ids["published_item"] = world["published"].assignment.proposal_id
    accounts = dict(zip(PROPOSER_ROLES, ("person", "cosigner", "stranger"), strict=True))
    cells = [
        (p.format(**ids), dict(zip(PROPOSER_ROLES, e, strict=True))) for p, e in PROPOSER_MATRIX
    ]
    cells += [
        (p.format(**ids), dict.fromkeys(PROPOSER_ROLES, proposer_expected(p, e["anonymous"])))
        for p, e in MATRIX
        if not p.startswith(PROPOSER_DOORS)
    ]
    failures = []
    for role, key in accounts.items():
        client.logout()
        as_proposer(client, world[key])
        for url, expected in cells:
            got, response = status(client.get(url))
            if got != expected[role]:
                failures.append(f"{url} as {role} proposer: {got}, expected {expected[role]}")
            if got == BACK and not url.startswith("/me/") and response.url != "/me/":
                failures.append(f"{url} as {role} proposer: sent to {response.url}")
            shown = ("text/", "application/json")
            body = response.content if response.get("Content-Type", "").startswith(shown) else b""
            for leak in ("内部草稿", PHONE, COSIGNER_PHONE):
                if leak.encode() in body:
                    failures.append(f"{url} as {role} proposer: shows {leak}")
    assert not failures, "\n".join(failures)


def test_contact_details_only_for_the_office_and_handling_units(client, world):
    url = f"/items/{world['item'].pk}/"
    for role, shown in (("clerk", True), ("office", True)):
        client.force_login(world["users"][role])
        assert (PHONE in client.get(url).content.decode()) is shown


def test_forbidden_actions_change_nothing(client, world):
    other = world["users"]["other_unit"]
    pending = Assignment.objects.filter(state="pending").first()
    if pending is None:
        pending = assign_proposal(
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


# ---- the admin: every registered model × every admin URL × role × own/other jurisdiction ----
# What an office may do with its own jurisdiction's rows of each model (V view, A add,
# C change, D delete), whether rows are shared by every jurisdiction, and what the superuser
# may do. Kinds: "scoped" (rows of one jurisdiction), "shared" (read by every office, changed
# only by an office of every jurisdiction: here there are two), "superuser" (Banli's records
# no office sees), "django" (other apps' admins: no office permission at all).
ADMIN_MODELS = {
    "proposals.user": ("scoped", "VAC", "VACD"),
    "proposals.jurisdiction": ("scoped", "VC", "VACD"),
    "proposals.session": ("scoped", "VAC", "VACD"),
    "proposals.proposer": ("scoped", "VC", "VACD"),
    "proposals.proposal": ("scoped", "VAC", "VACD"),
    "workflow.unit": ("scoped", "VAC", "VACD"),
    "workflow.unitmembership": ("scoped", "VAC", "VACD"),
    "workflow.officemembership": ("scoped", "V", "VACD"),
    "workflow.assignment": ("scoped", "V", "V"),
    "workflow.transferrequest": ("scoped", "V", "V"),
    "workflow.extension": ("scoped", "V", "V"),
    "workflow.contact": ("scoped", "V", "V"),
    "workflow.transitionlog": ("scoped", "V", "V"),
    "workflow.itemimport": ("scoped", "V", "V"),
    "workflow.deadlinerule": ("scoped", "VAC", "VACD"),
    "workflow.reminderdigest": ("scoped", "V", "V"),
    "workflow.heartbeat": ("shared", "V", "V"),
    "workflow.calendarday": ("shared", "V", "VACD"),
    "workflow.calendaryear": ("shared", "V", "VACD"),
    "workflow.reminderrung": ("shared", "V", "VACD"),
    "workflow.notification": ("superuser", "", "V"),
    "responses.reply": ("scoped", "V", "V"),
    "responses.opinion": ("scoped", "V", "V"),
    "responses.feedback": ("scoped", "V", "V"),
    "responses.delivery": ("scoped", "V", "V"),
    "responses.commitment": ("scoped", "V", "V"),
    "responses.documentcounter": ("scoped", "V", "V"),
    "responses.lettertemplate": ("scoped", "VAC", "VACD"),
    "responses.referencedocument": ("shared", "V", "VACD"),
    "responses.signingcertificate": ("superuser", "", "VA"),
    "admin.logentry": ("superuser", "", "V"),
    "auth.group": ("django", "", "VACD"),
    "authtoken.tokenproxy": ("django", "", "VAD"),
    "axes.accessattempt": ("django", "", "VD"),
    "axes.accesslog": ("django", "", "VD"),
    "axes.accessfailurelog": ("django", "", "VD"),
    # The second factor's devices (django-otp), when registered: the administrator's alone.
    "otp_totp.totpdevice": ("django", "", "VACD"),
    "otp_static.staticdevice": ("django", "", "VACD"),
}
OWN_DRAFT = "沪科委草稿：经费测算待定"
ADMIN_ROLES = ["anonymous", "clerk", "leader", "office", "other_office", "superuser"]
VIEWS = ["changelist", "add", "change_own", "change_other"]
VIEWS += ["delete_own", "delete_other", "history_own", "history_other"]


def admin_objects(sh, sd):
    """model label → (a row of Shanghai's, a row of Shandong's); a shared row is both."""
    from datetime import date
    from uuid import uuid4

    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType
    from rest_framework.authtoken.models import Token, TokenProxy

    from responses.models import (
        Commitment,
        Delivery,
        DocumentCounter,
        Feedback,
        LetterTemplate,
        Opinion,
        ReferenceDocument,
    )
    from workflow.models import (
        CalendarDay,
        CalendarYear,
        DeadlineRule,
        Extension,
        Heartbeat,
        ItemImport,
        Notification,
        OfficeMembership,
        ReminderRung,
        TransferRequest,
        TransitionLog,
        UnitMembership,
    )

    def each(make):
        return make(sh), make(sd)

    def shared(row):
        return row, row

    def token(s):
        Token.objects.create(user=s["clerk"])
        return TokenProxy.objects.get(user=s["clerk"])

    def attempt(model, s, **extra):  # a stranger's: a login here would clear its own
        return model.objects.create(
            username=f"stranger-{s['unit'].organ_code}",
            ip_address="192.0.2.9",
            user_agent="ua",
            http_accept="*",
            path_info="/",
            **extra,
        )

    built = {
        "proposals.user": each(lambda s: s["clerk"]),
        "proposals.jurisdiction": each(lambda s: s["jurisdiction"]),
        "proposals.session": each(lambda s: s["item"].session),
        "proposals.proposer": each(lambda s: s["person"]),
        "proposals.proposal": each(lambda s: s["registered"]),
        "workflow.unit": each(lambda s: s["unit"]),
        "workflow.unitmembership": each(lambda s: UnitMembership.objects.get(user=s["clerk"])),
        "workflow.officemembership": each(lambda s: OfficeMembership.objects.get(user=s["office"])),
        "workflow.assignment": each(lambda s: s["assignment"]),
        "workflow.transferrequest": each(
            lambda s: TransferRequest.objects.create(
                assignment=s["assignment"], reason="职责不符", requested_by=s["clerk"]
            )
        ),
        "workflow.extension": each(
            lambda s: Extension.objects.create(
                assignment=s["assignment"],
                reason="需调研",
                requested_by=s["clerk"],
                previous_due=date(2030, 1, 1),
                requested_due=date(2030, 2, 1),
            )
        ),
        "workflow.contact": each(lambda s: factories.contacted(s["assignment"], s["clerk"])),
        "workflow.transitionlog": each(
            lambda s: TransitionLog.objects.filter(proposal=s["item"]).first()
        ),
        "workflow.itemimport": each(
            lambda s: ItemImport.objects.create(
                jurisdiction=s["jurisdiction"],
                name="x.xlsx",
                file="imports/x.xlsx",
                created_by=s["office"],
            )
        ),
        "workflow.deadlinerule": each(
            lambda s: DeadlineRule.objects.get_or_create(
                jurisdiction=s["jurisdiction"], kind="proposal"
            )[0]
        ),
        "workflow.reminderdigest": each(
            lambda s: ReminderDigest.objects.create(
                batch=uuid4(),
                recipient=s["clerk"],
                audience="clerk",
                jurisdiction=s["jurisdiction"],
                unit=s["unit"],
                items=1,
                overdue=0,
            )
        ),
        "workflow.heartbeat": shared(Heartbeat.objects.create(kind=Heartbeat.Kind.values[0])),
        "workflow.calendarday": shared(
            CalendarDay.objects.create(day=date(2031, 10, 1), is_working=False, name="国庆节")
        ),
        "workflow.calendaryear": shared(CalendarYear.objects.create(year=2031, source="测试")),
        "workflow.reminderrung": shared(
            ReminderRung.objects.get_or_create(
                deadline_kind="reply", offset_days=-7, audience="clerk"
            )[0]
        ),
        "workflow.notification": each(
            lambda s: Notification.objects.create(recipient=s["clerk"], title="提醒")
        ),
        "responses.reply": each(lambda s: s["draft"]),
        "responses.opinion": each(
            lambda s: Opinion.objects.create(
                assignment=s["assignment"],
                lead_unit=s["unit"],
                title="会办意见",
                addressee=s["unit"].name,
                signing_organ=s["unit"].name,
                drafted_by=s["clerk"],
            )
        ),
        "responses.feedback": each(
            lambda s: Feedback.objects.create(
                reply=s["draft"],
                proposer=s["person"],
                handling_rating="satisfied",
                result_rating="satisfied",
                channel="paper",
                entered_by=s["office"],
            )
        ),
        "responses.delivery": each(
            lambda s: Delivery.objects.create(
                reply=s["draft"], proposer=s["person"], channel="email"
            )
        ),
        "responses.commitment": each(
            lambda s: Commitment.objects.create(reply=s["draft"], unit=s["unit"], what="年内完成")
        ),
        "responses.documentcounter": each(
            lambda s: DocumentCounter.objects.create(unit=s["unit"], series="提复", year=2024)
        ),
        "responses.lettertemplate": each(
            lambda s: LetterTemplate.objects.create(
                unit=s["unit"], role="reply", name="通用", body="【提出人】："
            )
        ),
        "responses.referencedocument": shared(ReferenceDocument.objects.create(title="政策文件")),
        "responses.signingcertificate": each(lambda s: signing.current(s["unit"])),
        "admin.logentry": each(
            lambda s: LogEntry.objects.create(
                user=s["office"],
                content_type=ContentType.objects.get_for_model(s["unit"]),
                object_id=str(s["unit"].pk),
                object_repr=str(s["unit"]),
                action_flag=CHANGE,
                change_message="[]",
            )
        ),
        "auth.group": shared(Group.objects.get(name=OFFICE_GROUP)),
        "authtoken.tokenproxy": each(token),
        "axes.accessattempt": each(
            lambda s: attempt(AccessAttempt, s, get_data="", post_data="", failures_since_start=1)
        ),
        "axes.accesslog": each(lambda s: attempt(AccessLog, s)),
        "axes.accessfailurelog": each(lambda s: attempt(AccessFailureLog, s)),
    }
    from django.apps import apps

    if apps.is_installed("django_otp.plugins.otp_totp"):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        built["otp_totp.totpdevice"] = each(
            lambda s: TOTPDevice.objects.create(user=s["clerk"], name="手机")
        )
    if apps.is_installed("django_otp.plugins.otp_static"):
        from django_otp.plugins.otp_static.models import StaticDevice

        built["otp_static.staticdevice"] = each(
            lambda s: StaticDevice.objects.create(user=s["clerk"], name="恢复码")
        )
    return built


def expected_admin(kind, office, superuser, role, view):
    """The answer `role` should get at `view` of a model with these expectations."""
    if role in ("anonymous", "clerk", "leader"):
        return LOGIN
    if role == "superuser":
        verb = {"add": "A", "delete_own": "D", "delete_other": "D"}.get(view, "V")
        return OK if verb in superuser else FORBIDDEN
    # An office: "own" is its own jurisdiction's row; the other office sees them swapped.
    if role == "other_office" and view.endswith(("_own", "_other")):
        stem, side = view.rsplit("_", 1)
        view = f"{stem}_{'other' if side == 'own' else 'own'}"
    mine = view.endswith("_own") or kind == "shared"
    if view == "changelist":
        return OK if "V" in office else FORBIDDEN
    if view == "add":
        return OK if "A" in office else FORBIDDEN
    if view.startswith("change"):
        return FORBIDDEN if "V" not in office else OK if mine else BACK
    if view.startswith("delete"):
        return FORBIDDEN if "D" not in office else OK if mine else BACK
    # history: a row the office's list does not hold is "not found" before any permission.
    if "V" in office:
        return OK if mine else BACK
    return BACK if kind == "superuser" else FORBIDDEN


def admin_url(model, view, own, other):
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    if view in ("changelist", "add"):
        return base if view == "changelist" else base + "add/"
    stem, side = view.rsplit("_", 1)
    obj = own if side == "own" else other
    return f"{base}{obj.pk}/{stem}/"


@pytest.fixture
def two_jurisdictions(office, kewei, clerk, leader, elsewhere):
    from tests.config.conftest import side

    person = factories.proposer("文彬", phone=PHONE)
    sh = side(kewei.jurisdiction, office, kewei, clerk, leader, person=person, body=OWN_DRAFT)
    return sh, elsewhere


def test_every_registered_admin_has_its_expectations():
    from django.contrib import admin

    registered = {m._meta.label_lower for m in admin.site._registry}
    missing = registered - set(ADMIN_MODELS)
    assert not missing, f"admin pages without a row of expectations: {sorted(missing)}"


def test_the_admin_access_matrix(client, two_jurisdictions):
    from django.contrib import admin

    from tests.config.conftest import OTHER_DRAFT, OTHER_PHONE

    sh, sd = two_jurisdictions
    root = factories.user("root", is_staff=True, is_superuser=True)
    users = {
        "anonymous": AnonymousUser(),
        "clerk": sh["clerk"],
        "leader": sh["leader"],
        "office": sh["office"],
        "other_office": sd["office"],
        "superuser": root,
    }
    # What each office must never read: the other jurisdiction's draft and proposer phone.
    never = {"office": [OTHER_DRAFT, OTHER_PHONE], "other_office": [OWN_DRAFT, PHONE]}
    objects = admin_objects(sh, sd)
    failures, cells = [], 0
    for role in ADMIN_ROLES:  # one sign-in per role: the cells are many
        client.logout()
        if users[role].is_authenticated:
            client.force_login(users[role])
        for model in admin.site._registry:
            label = model._meta.label_lower
            kind, office_may, superuser_may = ADMIN_MODELS[label]
            if label not in objects:
                failures.append(f"{label}: no rows built for its admin pages (admin_objects)")
                continue
            own, other = objects[label]
            for view in VIEWS:
                url = admin_url(model, view, own, other)
                got, response = status(client.get(url))
                cells += 1
                want = expected_admin(kind, office_may, superuser_may, role, view)
                if got != want:
                    failures.append(f"{url} as {role}: {got}, expected {want}")
                body = response.content.decode() if got == OK else ""
                failures += [
                    f"{url} as {role}: shows {s}" for s in never.get(role, []) if s in body
                ]
                if got == OK and view == "change_own" and role == "office":
                    editable = 'name="_save"' in body
                    if editable != ("C" in office_may):
                        failures.append(f"{url} as office: editable {editable}")
    password = {"own": sh["clerk"], "other": sd["clerk"], "root": root}
    expect = {
        "office": {"own": OK, "other": MISSING, "root": MISSING},
        "other_office": {"own": MISSING, "other": OK, "root": MISSING},
        "superuser": {"own": OK, "other": OK, "root": OK},
    }
    for role in ADMIN_ROLES:
        for which, account in password.items():
            url = f"/admin/proposals/user/{account.pk}/password/"
            got, _response = answer(client, users[role], url)
            cells += 1
            want = expect.get(role, {}).get(which, LOGIN)
            if got != want:
                failures.append(f"{url} as {role}: {got}, expected {want}")
    assert not failures, "\n".join(failures)
    print(f"ADMIN ACCESS MATRIX {cells} cells")
