"""What intake refuses, whichever way an item comes in (the page, the API, the Excel import,
the admin): a line break in a number or title (it would be a mail header), a 建议 in a CPPCC
session or a deputy on a 提案, more than fifty proposers, another script's digits as a
mobile; merging two people who are not namesakes; and the import's check says which records
on file the rows will be attached to."""

from io import BytesIO

import pytest
from openpyxl import Workbook
from rest_framework.test import APIClient

from proposals.models import Proposal, Proposer
from responses.delivery_worker import mail_subject
from responses.forms import LetterForm
from responses.models import Reply
from tests import factories
from tests.workflow.test_proposer_contacts import intake_data
from workflow import item_import
from workflow.actions import ActionRefused, import_items, merge_proposers
from workflow.models import Notification, TransitionLog
from workflow.notices import Event, announce

pytestmark = pytest.mark.django_db

INJECTED = "77\nBcc: a@b.cn"


@pytest.fixture
def worker(django_capture_on_commit_callbacks):
    """A request whose background task runs when it commits; the page it lands on."""

    def run(client, path, data):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(path, data)
        return client.get(response["Location"], follow=True)

    return run


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def api_payload(session, **extra):
    return {
        "session": session.pk,
        "kind": "proposal",
        "number": "4001",
        "title": "关于某事的提案",
        "proposer_kind": "member",
        "proposers": "章毅",
    } | extra


def sheet(rows):
    book = Workbook()
    headers = ["类型", "届次会议", "案号", "案由", "提出人"]
    headers += ["提出人手机", "提出人邮箱", "提出人地址", "首选送达方式"]
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    out = BytesIO()
    book.save(out)
    return item_import.read_workbook(out.getvalue())


# ---- 1. one-line numbers and titles ----------------------------------------------------------
def test_a_line_break_in_a_number_or_title_is_refused_everywhere(client, office, shanghai):
    session = factories.session(shanghai)
    for field in ("number", "title"):
        refused = api(office).post(
            "/api/proposals/", api_payload(session, **{field: INJECTED}), format="json"
        )
        assert refused.status_code == 400 and "控制字符" in str(refused.json()[field])
        client.force_login(office)
        page = client.post(
            "/office/proposals/new", intake_data(session, [{"name": "章毅"}]) | {field: INJECTED}
        )
        assert page.status_code == 200 and "控制字符" in page.content.decode()
    (row,) = item_import.check(
        sheet([["提案", str(session), INJECTED, "关于\n某事", "章毅"]]), shanghai
    )
    assert {column for column, _p in row.errors} == {"案号", "案由"}
    with pytest.raises(ActionRefused):
        factories.proposal(office, sess=session, number=INJECTED)
    assert not Proposal.objects.exists()


def test_a_letters_title_is_one_line(shanghai):
    form = LetterForm({"title": "关于某事的答复\nBcc: a@b.cn", "disclosure": "full"})
    form.is_valid()
    assert "控制字符" in str(form.errors.get("title"))


def test_notice_titles_and_reply_subjects_are_flattened(kewei):
    clerk = factories.member(kewei)
    announce(Event.URGED, subject="u:1", title="催办：77\r\nBcc: a@b.cn", unit=kewei)
    assert Notification.objects.get(recipient=clerk).title == "催办：77 Bcc: a@b.cn"
    reply = Reply(
        title="关于\n某事的答复", signing_organ="上海市科委", doc_number="沪科提复〔2024〕1号"
    )
    assert "\n" not in mail_subject(reply) and "关于 某事的答复" in mail_subject(reply)


# ---- 2. merging only namesakes ---------------------------------------------------------------
def test_a_deputy_is_not_merged_into_a_member_of_the_same_name(client, office, shanghai):
    member = factories.proposer("章毅", jurisdiction=shanghai)
    deputy = factories.proposer("章毅", kind="deputy", jurisdiction=shanghai)
    other = factories.proposer("张远波", jurisdiction=shanghai)
    for duplicate in (deputy, other):
        with pytest.raises(ActionRefused, match="姓名和类别都相同"):
            merge_proposers(office, member, duplicate)
        client.force_login(office)
        link = f"/office/proposers/merge?keep={member.pk}&duplicate={duplicate.pk}"
        assert client.get(link).status_code == 302
        client.post("/office/proposers/merge", {"keep": member.pk, "duplicate": duplicate.pk})
    assert Proposer.objects.count() == 3
    assert not TransitionLog.objects.filter(transition="merge_proposers").exists()


# ---- 3. mobiles in ASCII digits ----------------------------------------------------------------
ARABIC_INDIC = "13٩١٢٣٤٥٦٧٨"


def test_another_scripts_digits_are_no_mobile(client, office, shanghai):
    session = factories.session(shanghai)
    assert Proposer(phone=ARABIC_INDIC).mobile == ""
    assert Proposer(phone="1391234567٨8").mobile == ""
    client.force_login(office)
    row = {"name": "章毅", "phone": ARABIC_INDIC}
    page = client.post("/office/proposals/new", intake_data(session, [row]))
    assert page.status_code == 200 and "手机号码应为" in page.content.decode()
    detail = [{"name": "章毅", "phone": ARABIC_INDIC}]
    refused = api(office).post(
        "/api/proposals/", api_payload(session, proposer_details=detail), format="json"
    )
    assert refused.status_code == 400
    (result,) = item_import.check(
        sheet([["提案", str(session), "3001", "关于某事的提案", "章毅", ARABIC_INDIC]]), shanghai
    )
    assert [column for column, _p in result.errors] == ["提出人手机"]
    person = factories.proposer("张远波", jurisdiction=shanghai, email="z@example.org")
    patched = api(office).patch(f"/api/proposers/{person.pk}/", {"phone": ARABIC_INDIC})
    assert patched.status_code == 409
    assert not Proposer.objects.filter(phone=ARABIC_INDIC).exists()


def test_fullwidth_digits_are_stored_as_ascii(client, office, shanghai):
    session = factories.session(shanghai)
    client.force_login(office)
    row = {"name": "章毅", "phone": "１３９ １２３４ ５６７８"}
    assert client.post("/office/proposals/new", intake_data(session, [row])).status_code == 302
    assert Proposer.objects.get(name="章毅").phone == "13912345678"


# ---- 4. at most fifty proposers ----------------------------------------------------------------
def test_more_than_fifty_proposers_are_refused_not_cut(client, office, shanghai):
    session = factories.session(shanghai)
    client.force_login(office)
    rows = [{"name": f"委员{i}"} for i in range(60)]
    page = client.post("/office/proposals/new", intake_data(session, rows))
    assert page.status_code == 200 and "提出人不能超过50位" in page.content.decode()
    names = "、".join(f"委员{i}" for i in range(60))
    one_line = client.post("/office/proposals/new", intake_data(session, [], proposer_names=names))
    assert "提出人不能超过50位" in one_line.content.decode()
    refused = api(office).post(
        "/api/proposals/", api_payload(session, proposers=names), format="json"
    )
    assert refused.status_code == 400 and "提出人不能超过50位" in str(refused.json())
    (row,) = item_import.check(
        sheet([["提案", str(session), "3001", "关于某事的提案", names]]), shanghai
    )
    assert any("提出人不能超过50位" in problem for _c, problem in row.errors)
    assert not Proposal.objects.exists() and not Proposer.objects.exists()


# ---- 5. the import's check says who is matched -------------------------------------------------
def test_the_check_names_the_record_each_proposer_joins_and_differing_contacts(office, shanghai):
    session = factories.session(shanghai)
    known = factories.proposer("张远波", jurisdiction=shanghai, phone="13912349741", email="")
    row = ["提案", str(session), "3001", "关于某事的提案", "章毅、张远波", "；13800138000"]
    row += ["；zyb@example.org"]
    (result,) = item_import.check(sheet([row]), shanghai)
    assert result.status == "new", result.errors
    notes = " ".join(note for _column, note in result.notes)
    assert f"“张远波”将对应已登记的提出人 #{known.pk}（手机 139****9741）" in notes
    assert "表中联系方式与已登记记录不同，未覆盖" in notes and "章毅" not in notes
    import_items(office, shanghai, [result.item])
    known.refresh_from_db()
    assert known.phone == "13912349741" and known.email == "zyb@example.org"
    audit = TransitionLog.objects.get(transition="update_contacts", object_id=known.pk)
    assert "电子邮箱" in audit.comment and "zyb@example.org" not in audit.comment


def test_the_import_page_shows_the_matches_before_confirming(client, office, shanghai, worker):
    from django.core.files.uploadedfile import SimpleUploadedFile

    session = factories.session(shanghai)
    factories.proposer("张远波", jurisdiction=shanghai, phone="13912349741")
    book = Workbook()
    book.active.append(["类型", "届次会议", "案号", "案由", "提出人"])
    book.active.append(["提案", str(session), "3001", "关于某事的提案", "张远波"])
    out = BytesIO()
    book.save(out)
    client.force_login(office)
    upload = SimpleUploadedFile("items.xlsx", out.getvalue())
    page = worker(client, "/office/proposals/import/", {"file": upload}).content.decode()
    assert "139****9741" in page and "确认导入" in page


def test_several_namesakes_on_record_refuse_the_row(office, shanghai):
    session = factories.session(shanghai)
    factories.proposer("张远波", jurisdiction=shanghai)
    factories.proposer("张远波", jurisdiction=shanghai)
    (result,) = item_import.check(
        sheet([["提案", str(session), "3001", "关于某事的提案", "张远波"]]), shanghai
    )
    assert result.status == "error"
    assert "同名提出人有多条记录，请在页面登记或先合并" in result.errors[0][1]


def test_a_name_twice_in_a_row_is_refused_at_the_check(shanghai):
    session = factories.session(shanghai)
    (result,) = item_import.check(
        sheet([["提案", str(session), "3001", "关于某事的提案", "张三、张三"]]), shanghai
    )
    assert result.status == "error" and "“张三”在本行出现了两次" in result.errors[0][1]


# ---- 6. the kind the session's body takes --------------------------------------------------------
def test_a_suggestion_in_a_cppcc_session_or_a_deputy_on_a_proposal_is_refused(
    client, office, shanghai
):
    cppcc = factories.session(shanghai)
    client.force_login(office)
    wrong_kind = intake_data(cppcc, [{"name": "文彬"}], kind="suggestion", proposer_kind="deputy")
    page = client.post("/office/proposals/new", wrong_kind)
    assert page.status_code == 200 and "不收建议" in page.content.decode()
    deputy = intake_data(cppcc, [{"name": "文彬"}], proposer_kind="deputy")
    page = client.post("/office/proposals/new", deputy)
    assert "提案的提出人不能是人大代表" in page.content.decode()
    for payload in (
        api_payload(cppcc, kind="suggestion", proposer_kind="deputy"),
        api_payload(cppcc, proposer_kind="deputy"),
    ):
        assert api(office).post("/api/proposals/", payload, format="json").status_code == 400
    person = factories.proposer("文彬", kind="deputy")
    with pytest.raises(ActionRefused, match="人大代表"):
        factories.proposal(office, sess=cppcc, proposers=[person])
    assert not Proposal.objects.exists()


def test_the_intake_page_offers_only_the_offices_own_sessions(client, office, shanghai):
    own = factories.session(shanghai)
    other = factories.session(factories.jurisdiction("山东省", level="province"))
    client.force_login(office)
    page = client.get("/office/proposals/new").content.decode()
    assert f'value="{own.pk}"' in page and str(other) not in page


# ---- 7. the admin logs contact fields by name ------------------------------------------------
def test_the_admin_logs_contact_fields_by_name_and_stores_the_normal_mobile(
    client, office, shanghai
):
    from django.contrib.admin.models import LogEntry

    person = factories.proposer("章毅", jurisdiction=shanghai, phone="13900000000")
    client.force_login(office)
    data = {
        "kind": "member",
        "name": "章毅",
        "affiliation": "",
        "phone": "１３９ １２３４ ５６７８",
        "email": "zy@example.org",
        "address": "",
        "preferred_channel": "",
        "user": "",
        "jurisdiction": shanghai.pk,
    }
    saved = client.post(f"/admin/proposals/proposer/{person.pk}/change/", data)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    person.refresh_from_db()
    assert person.phone == "13912345678" and person.email == "zy@example.org"
    message = LogEntry.objects.get(object_id=str(person.pk)).get_change_message()
    assert "13900000000" not in message and "zy@example.org" not in message
    assert "手机号码" in message
    audit = TransitionLog.objects.get(transition="update_contacts", object_id=person.pk)
    assert "13912345678" not in audit.comment
