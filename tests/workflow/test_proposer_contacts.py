"""Every proposer reached: intake (the page, the Excel import, the API) takes each proposer's
mobile, email, address and preferred channel; a name already on record is shown for the
office to confirm (never a silent duplicate); duplicates are merged by an audited verb; and
a proposer no channel reaches is flagged on the item and in the office's list."""

from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook
from rest_framework.test import APIClient

from proposals.models import Proposal, ProposalProposer, Proposer
from tests import factories
from workflow import item_import
from workflow.actions import ActionRefused, import_items, merge_proposers
from workflow.models import Contact, TransitionLog

pytestmark = pytest.mark.django_db


def intake_data(session, rows, **extra):
    data = {
        "kind": "proposal",
        "session": session.pk,
        "number": "2001",
        "title": "关于加强干细胞临床研究监管的提案",
        "proposer_kind": "member",
    }
    for i, row in enumerate(rows):
        data.update({f"p{i}-{key}": value for key, value in row.items()})
    return data | extra


THREE = [
    {
        "name": "章毅",
        "affiliation": "医药卫生界",
        "phone": "139 1234 5678",
        "email": "zhangyi@example.org",
        "preferred_channel": "sms",
    },
    {"name": "张远波", "email": "zyb@example.org", "preferred_channel": "email"},
    {"name": "朱军红", "address": "上海市黄浦区人民大道200号", "preferred_channel": "paper"},
]


@pytest.fixture
def signed_in(client, office):
    client.force_login(office)
    return client


# ---- the intake page -------------------------------------------------------------------------
def test_three_proposers_with_their_contacts_in_order(signed_in, shanghai):
    session = factories.session(shanghai)
    response = signed_in.post("/office/proposals/new", intake_data(session, THREE))
    assert response.status_code == 302, response.content.decode()
    item = Proposal.objects.get(number="2001")
    lead, second, third = (s.proposer for s in item.signatories.order_by("position"))
    assert [lead.name, second.name, third.name] == ["章毅", "张远波", "朱军红"]
    assert lead.phone == "13912345678" and lead.affiliation == "医药卫生界"
    assert lead.channels == ["sms", "email"]
    assert second.channels == ["email"] and third.channels == ["paper"]
    assert {p.jurisdiction_id for p in (lead, second, third)} == {shanghai.pk}


def test_the_page_shows_three_rows_and_another_on_request(signed_in, shanghai):
    page = signed_in.get("/office/proposals/new").content.decode()
    assert 'name="p2-phone"' in page and 'name="p3-name"' not in page
    session = factories.session(shanghai)
    more = signed_in.post("/office/proposals/new", intake_data(session, THREE, add_row="1"))
    assert more.status_code == 200 and 'name="p3-name"' in more.content.decode()
    assert not Proposal.objects.exists()


def test_a_wrong_mobile_is_refused_and_everything_typed_stays(signed_in, shanghai):
    session = factories.session(shanghai)
    rows = [dict(THREE[0], phone="021-63211234"), THREE[1]]
    response = signed_in.post("/office/proposals/new", intake_data(session, rows))
    page = response.content.decode()
    assert response.status_code == 200 and "中国大陆手机号" in page
    assert "021-63211234" in page and "zyb@example.org" in page and "医药卫生界" in page
    assert not Proposal.objects.exists() and not Proposer.objects.exists()


def test_a_channel_without_its_contact_and_a_bad_email_are_refused(signed_in, shanghai):
    session = factories.session(shanghai)
    rows = [{"name": "章毅", "email": "not-an-email", "preferred_channel": "paper"}]
    page = signed_in.post("/office/proposals/new", intake_data(session, rows)).content.decode()
    assert "电子邮箱格式不正确" in page and "首选送达方式须有相应的联系方式" in page
    assert not Proposal.objects.exists()


def test_a_refusal_of_the_verb_keeps_the_form(signed_in, office, shanghai):
    session = factories.session(shanghai)
    factories.proposal(office, sess=session, number="2001")
    response = signed_in.post("/office/proposals/new", intake_data(session, THREE[1:]))
    page = response.content.decode()
    assert response.status_code == 200 and "案号不能重复" in page
    assert "zyb@example.org" in page and "人民大道200号" in page


def test_a_name_on_record_is_shown_for_confirmation_not_duplicated(signed_in, shanghai):
    known = factories.proposer(
        "章毅", jurisdiction=shanghai, affiliation="医药卫生界", email="old@example.org"
    )
    session = factories.session(shanghai)
    typed = [{"name": "章毅", "phone": "13912345678", "email": "new@example.org"}]
    response = signed_in.post("/office/proposals/new", intake_data(session, typed))
    page = response.content.decode()
    assert response.status_code == 200 and "本地区已有同名提出人" in page
    assert "old@example.org" in page and f'value="{known.pk}"' in page
    assert "13912345678" in page  # what was typed stays
    assert Proposer.objects.filter(name="章毅").count() == 1 and not Proposal.objects.exists()

    typed[0]["identity"] = str(known.pk)
    assert signed_in.post("/office/proposals/new", intake_data(session, typed)).status_code == 302
    known.refresh_from_db()
    assert Proposer.objects.filter(name="章毅").count() == 1
    assert known.email == "old@example.org"  # not overwritten unasked
    assert known.phone == "13912345678"  # the blank filled
    assert Proposal.objects.get(number="2001").proposers.get() == known
    assert TransitionLog.objects.filter(transition="update_contacts", object_id=known.pk).exists()


def test_confirmed_with_consent_the_typed_contacts_replace_the_record(signed_in, shanghai):
    known = factories.proposer("章毅", jurisdiction=shanghai, email="old@example.org")
    session = factories.session(shanghai)
    typed = [
        {"name": "章毅", "email": "new@example.org", "identity": known.pk, "update_contacts": "on"}
    ]
    assert signed_in.post("/office/proposals/new", intake_data(session, typed)).status_code == 302
    known.refresh_from_db()
    assert known.email == "new@example.org"


def test_declared_a_new_person_a_namesake_is_added(signed_in, shanghai):
    known = factories.proposer("章毅", jurisdiction=shanghai, affiliation="医药卫生界")
    session = factories.session(shanghai)
    typed = [{"name": "章毅", "affiliation": "经济界", "phone": "13800138000", "identity": "new"}]
    assert signed_in.post("/office/proposals/new", intake_data(session, typed)).status_code == 302
    newcomer = Proposal.objects.get(number="2001").proposers.get()
    assert newcomer.pk != known.pk and newcomer.affiliation == "经济界"
    assert newcomer.mobile == "13800138000"


def test_the_verb_refuses_an_unconfirmed_namesake(office, shanghai):
    from workflow.actions import ProposerEntry, receive_proposal

    factories.proposer("章毅", jurisdiction=shanghai)
    with pytest.raises(ActionRefused, match="请确认是否为同一人"):
        receive_proposal(
            office,
            session=factories.session(shanghai),
            number="1",
            title="关于某事的提案",
            kind="proposal",
            proposers=[ProposerEntry(name="章毅", kind="member")],
        )


def test_a_namesake_elsewhere_is_not_offered(signed_in, shanghai):
    other = factories.jurisdiction("山东省", level="province")
    factories.proposer("章毅", jurisdiction=other, phone="13700002222")
    session = factories.session(shanghai)
    response = signed_in.post("/office/proposals/new", intake_data(session, THREE[:1]))
    assert response.status_code == 302
    assert Proposal.objects.get().proposers.get().jurisdiction_id == shanghai.pk


# ---- the Excel import ------------------------------------------------------------------------
def sheet(rows):
    book = Workbook()
    headers = ["类型", "届次会议", "案号", "案由", "提出人"]
    headers += ["提出人手机", "提出人邮箱", "提出人地址", "首选送达方式"]
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def test_excel_contact_columns_follow_the_proposers(office, shanghai):
    session = factories.session(shanghai)
    known = factories.proposer("张远波", jurisdiction=shanghai, email="old@example.org")
    row = ["提案", str(session), "3001", "关于某事的提案", "章毅、张远波、朱军红"]
    row += ["13912345678；13800138000", "；new@example.org", "；；上海市黄浦区人民大道200号"]
    row += ["短信；邮件；纸质"]
    results = item_import.check(item_import.read_workbook(sheet([row])), shanghai)
    assert [r.status for r in results] == ["new"], results[0].errors
    import_items(office, shanghai, [results[0].item])
    people = [s.proposer for s in Proposal.objects.get(number="3001").signatories.all()]
    assert [p.name for p in people] == ["章毅", "张远波", "朱军红"]
    assert people[0].phone == "13912345678" and people[0].preferred_channel == "sms"
    assert people[1].pk == known.pk
    assert people[1].email == "old@example.org"  # recorded contacts are not overwritten
    assert people[1].phone == "13800138000"  # blanks are filled
    assert people[2].channels == ["paper"]


def test_excel_contact_problems_name_their_column(shanghai):
    session = factories.session(shanghai)
    row = ["提案", str(session), "3002", "关于某事的提案", "章毅"]
    row += ["12345；13800138000", "", "", "传真"]
    (result,) = item_import.check(item_import.read_workbook(sheet([row])), shanghai)
    columns = {column for column, _problem in result.errors}
    assert result.status == "error" and columns == {"提出人手机", "首选送达方式"}


def test_an_old_sheet_without_contact_columns_still_imports(office, shanghai):
    session = factories.session(shanghai)
    book = Workbook()
    book.active.append(["类型", "届次会议", "案号", "案由", "提出人"])
    book.active.append(["提案", str(session), "3003", "关于某事的提案", "章毅、张远波"])
    out = BytesIO()
    book.save(out)
    (result,) = item_import.check(item_import.read_workbook(out.getvalue()), shanghai)
    assert result.status == "new", result.errors
    import_items(office, shanghai, [result.item])
    assert not any(p.has_contact for p in Proposal.objects.get(number="3003").proposers.all())


# ---- the API ---------------------------------------------------------------------------------
def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_registers_proposers_with_contacts(office, shanghai):
    session = factories.session(shanghai)
    payload = {
        "session": session.pk,
        "kind": "proposal",
        "number": "4001",
        "title": "关于某事的提案",
        "proposer_kind": "member",
        "proposer_details": [
            {"name": "章毅", "phone": "13912345678", "preferred_channel": "sms"},
            {"name": "张远波", "email": "zyb@example.org"},
        ],
    }
    created = api(office).post("/api/proposals/", payload, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["proposers"] == ["章毅", "张远波"]
    found = api(office).get("/api/proposers/", {"name": "章毅"}).json()["results"]
    assert found[0]["phone"] == "13912345678" and found[0]["channels"] == ["sms"]

    again = dict(payload, number="4002", proposer_details=[{"name": "章毅"}])
    refused = api(office).post("/api/proposals/", again, format="json")
    assert refused.status_code == 409 and "请确认是否为同一人" in refused.json()["detail"]
    again["proposer_details"] = [{"name": "章毅", "same_as": found[0]["id"]}]
    assert api(office).post("/api/proposals/", again, format="json").status_code == 201
    assert Proposer.objects.filter(name="章毅").count() == 1


def test_api_refuses_bad_contacts(office, shanghai):
    payload = {
        "session": factories.session(shanghai).pk,
        "kind": "proposal",
        "number": "4003",
        "title": "关于某事的提案",
        "proposer_kind": "member",
        "proposer_details": [{"name": "章毅", "phone": "12345"}],
    }
    assert api(office).post("/api/proposals/", payload, format="json").status_code == 400


def test_api_contacts_are_the_offices_only(office, clerk, shanghai):
    person = factories.proposer("章毅", jurisdiction=shanghai, phone="13912345678")
    assert api(clerk).get("/api/proposers/").json()["results"] == []
    assert api(clerk).get(f"/api/proposers/{person.pk}/").status_code == 404
    assert APIClient().get("/api/proposers/").status_code in (401, 403)
    changed = api(office).patch(
        f"/api/proposers/{person.pk}/", {"email": "zy@example.org"}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["email"] == "zy@example.org"
    assert changed.json()["phone"] == "13912345678"
    bad = api(office).patch(f"/api/proposers/{person.pk}/", {"phone": "123"}, format="json")
    assert bad.status_code == 409
    other = factories.office_user(factories.jurisdiction("山东省", level="province"), "sd")
    assert api(other).patch(f"/api/proposers/{person.pk}/", {"phone": ""}).status_code == 404


# ---- merging duplicates ----------------------------------------------------------------------
def test_merge_moves_items_fills_contacts_and_is_audited(office, clerk, kewei, shanghai):
    keep = factories.proposer("章毅", jurisdiction=shanghai, affiliation="医药卫生界")
    duplicate = factories.proposer("章毅", jurisdiction=shanghai, phone="13912345678")
    other = factories.proposer("张远波", jurisdiction=shanghai)
    both = factories.proposal(office, proposers=[other, duplicate, keep])
    only_dup = factories.accepted(office, clerk, kewei, proposers=[duplicate])
    factories.contacted(only_dup, clerk)
    Contact.objects.filter(assignment=only_dup).update(proposer=duplicate)

    merge_proposers(office, keep, duplicate)

    keep.refresh_from_db()
    assert not Proposer.objects.filter(pk=duplicate.pk).exists()
    assert keep.phone == "13912345678" and keep.affiliation == "医药卫生界"
    order = list(both.signatories.order_by("position").values_list("proposer_id", "position"))
    assert order == [(other.pk, 0), (keep.pk, 1)]
    assert only_dup.proposal.proposers.get() == keep
    assert Contact.objects.get(assignment=only_dup).proposer_id == keep.pk
    row = TransitionLog.objects.get(transition="merge_proposers")
    assert row.actor == office and row.object_id == keep.pk and "并入" in row.comment


def test_merge_is_refused_to_another_jurisdictions_office(shanghai):
    keep = factories.proposer("章毅", jurisdiction=shanghai)
    duplicate = factories.proposer("章毅", jurisdiction=shanghai)
    outsider = factories.office_user(factories.jurisdiction("山东省", level="province"), "sd")
    with pytest.raises(PermissionDenied):
        merge_proposers(outsider, keep, duplicate)
    assert Proposer.objects.count() == 2


def test_merge_across_jurisdictions_is_refused(office, shanghai):
    other = factories.jurisdiction("山东省", level="province")
    theirs = factories.proposer("章毅", jurisdiction=other)
    ours = factories.proposer("章毅", jurisdiction=shanghai)
    with pytest.raises(PermissionDenied):
        merge_proposers(office, ours, theirs)


def test_the_duplicates_page_and_its_confirmation(signed_in, office, shanghai):
    keep = factories.proposer("章毅", jurisdiction=shanghai, affiliation="医药卫生界")
    duplicate = factories.proposer("章毅", jurisdiction=shanghai, email="zy@example.org")
    factories.proposal(office, proposers=[duplicate])
    page = signed_in.get("/office/proposers/duplicates/").content.decode()
    assert "章毅" in page and "zy@example.org" in page
    link = f"/office/proposers/merge?keep={keep.pk}&duplicate={duplicate.pk}"
    confirm = signed_in.get(link).content.decode()
    assert "确认合并" in confirm and "医药卫生界" in confirm
    done = signed_in.post("/office/proposers/merge", {"keep": keep.pk, "duplicate": duplicate.pk})
    assert done.status_code == 302
    assert list(Proposer.objects.values_list("pk", flat=True)) == [keep.pk]


def test_the_admin_action_calls_the_same_verb(client, office, shanghai):
    keep = factories.proposer("章毅", jurisdiction=shanghai)
    duplicate = factories.proposer("章毅", jurisdiction=shanghai, phone="13912345678")
    client.force_login(office)
    data = {
        "action": "merge_duplicates",
        "_selected_action": [keep.pk, duplicate.pk],
    }
    asked = client.post("/admin/proposals/proposer/", data)
    assert asked.status_code == 200 and "保留哪一条记录" in asked.content.decode()
    client.post("/admin/proposals/proposer/", data | {"apply": "1", "keep": str(keep.pk)})
    assert list(Proposer.objects.values_list("pk", flat=True)) == [keep.pk]
    assert TransitionLog.objects.filter(transition="merge_proposers").exists()


# ---- flags -----------------------------------------------------------------------------------
def test_the_item_page_flags_a_proposer_without_contacts(client, office, shanghai):
    reached = factories.proposer("章毅", email="zy@example.org")
    silent = factories.proposer("张远波", email="")
    item = factories.proposal(office, proposers=[reached, silent])
    client.force_login(office)
    page = client.get(f"/items/{item.pk}/").content.decode()
    assert page.count("缺少联系方式") == 1
    assert page.index("缺少联系方式") > page.index("张远波")


def queries(client, url):
    factories.just_active(client)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_office_list_counts_and_filters_missing_contacts(client, office, shanghai):
    client.force_login(office)

    def grow(n):
        for _ in range(n):
            factories.proposal(office, proposers=[factories.proposer("甲", phone="13912345678")])

    silent = factories.proposal(
        office, proposers=[factories.proposer("乙", email="")], title="无联系方式的件"
    )
    grow(5)
    at_few, page = queries(client, "/office/proposals/")
    assert "1人缺少联系方式" in page
    grow(20)
    at_more, _page = queries(client, "/office/proposals/")
    assert at_few == at_more
    _n, filtered = queries(client, "/office/proposals/?missing=1")
    assert silent.title in filtered and "甲" not in filtered


def test_the_filter_reads_a_mobile_as_the_model_does(shanghai):
    numbers = ["+86 139-1234-5678", "13912345678", "021-63211234", "8613912345", "", "139 1234"]
    numbers += ["13٩١٢٣٤٥٦٧٨", "1391234567٨8", "１３９１２３４５６７８"]  # other digits: no mobile
    for n, phone in enumerate(numbers):
        factories.proposer(f"人{n}", phone=phone)
    lacking = set(
        Proposer.objects.filter(Proposer.lacking_contact()).values_list("phone", flat=True)
    )
    assert lacking == {p for p in numbers if not Proposer(phone=p).mobile}
    assert ProposalProposer.objects.count() == 0


# ---- the demo --------------------------------------------------------------------------------
def test_the_demo_reaches_every_proposer_but_one_whose_reply_waits_for_paper():
    from demo.data import PAPER_ONLY
    from demo.loader import Demo
    from responses import selectors
    from responses.models import Reply

    Demo().load()
    assert all(p.has_contact for p in Proposer.objects.all())
    assert [p.name for p in Proposer.objects.all() if not (p.email or p.mobile)] == [PAPER_ONLY]
    assert Reply.objects.sent().filter(assignment__proposal__proposers__name=PAPER_ONLY).exists()
    from proposals.models import User
    from workflow.roles import Roles

    listed = selectors.undelivered_context(Roles.of(User.objects.get(username="office")))
    assert PAPER_ONLY in str(listed)
    count = Proposer.objects.count()
    Demo().load()  # idempotent
    assert Proposer.objects.count() == count
