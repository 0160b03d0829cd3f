"""Past letters read back into structured letters: the seeds parse fully, the usual
variations are recognised, and saving is previewed, atomic and never reuses a number."""

import io
import re
import zipfile
from datetime import date

import pytest

from demo.data import FIXTURES
from demo.loader import Demo
from responses.actions import allocate_doc_number
from responses.importer import parse
from responses.models import Opinion, Reply
from tests.responses.conftest import import_form

pytestmark = pytest.mark.django_db
SEEDS = {p.name[:3]: p for p in (FIXTURES / "seeds").glob("00[0234]_*.txt")}


@pytest.mark.parametrize("seed", ["000", "002", "003", "004"])
def test_seeds_parse_fully(seed):
    parsed = parse(SEEDS[seed].read_text())
    assert parsed.missing == [] and parsed.unrecognised == []
    expected = {
        "000": (
            "沪科提复〔2024〕24号",
            "解决采纳",
            "市政协十四届二次会议",
            "1136",
            date(2024, 5, 27),
        ),
        "002": ("鲁科函〔2023〕86号", "B", "省政协十三届一次会议", "13010345", None),
        "003": (None, "A", "政协云南省第十二届第三次会议", "120300622", date(2020, 7, 29)),
        "004": (
            "沪科建复〔2024〕40号",
            "解决采纳",
            "市十六届人大二次会议",
            "0345",
            date(2024, 5, 27),
        ),
    }[seed]
    fields = parsed.fields
    assert (
        fields.get("doc_number"),
        fields["class_label"],
        parsed.session_name,
        parsed.number,
        fields.get("letter_date"),
    ) == expected
    assert fields["disclosure"] == "full"
    if seed == "000":
        assert parsed.proposers == [("章毅", "member"), ("张远波", "member"), ("朱军红", "member")]
        assert (
            fields["contact_address"] == "人民大道200号"
            and fields["issued_by"] == "上海市科委办公室"
        )
        assert "应用研究，通过前瞻布局" in fields["body"]  # a paragraph split by a page break
    if seed == "002":
        assert fields["signer_name"] == "潘军" and fields["contact_office"] == "资配处"
        assert fields["issued_on"] == date(2023, 8, 14)
    if seed == "003":
        assert parsed.is_opinion and fields["addressee"] == "省卫生健康委"
        assert (fields["contact_person"], fields["contact_phone"]) == ("杨蓉", "0871-63136003")
    if seed == "004":
        assert parsed.proposers == [("文彬", "deputy")] and parsed.kind == "代表建议"


VARIANT = """类别:B
某市教育委员会
某教函[2017]12号
对市政协十三届一次会议第0021号提案的答复
张三委员:
您提出的关于课后服务的提案收悉,现答复如下:
一、已开展试点。
感谢您的关心。
二〇一七年六月五日
(联系单位及电话:基础教育处,12345678)
抄送:市政协提案委。
抄报:市政府办公厅。
某市教委办公室
二〇一七年六月六日印发
"""


def test_the_usual_variations_are_recognised():
    parsed = parse(VARIANT)
    fields = parsed.fields
    assert parsed.missing == []
    assert fields["class_label"] == "B" and fields["doc_number"] == "某教函[2017]12号"
    assert fields["letter_date"] == date(2017, 6, 5) and fields["issued_on"] == date(2017, 6, 6)
    assert fields["signing_organ"] == "某市教育委员会"  # no organ before the date: the head's
    assert (fields["contact_office"], fields["contact_phone"]) == ("基础教育处", "12345678")
    assert fields["cc"].splitlines() == ["市政协提案委", "市政府办公厅"]
    assert parsed.proposers == [("张三", "member")]


@pytest.fixture
def shanghai_demo():
    demo = Demo()
    demo.base()
    return demo


def test_office_previews_then_saves_letters_from_a_zip(client, shanghai_demo, import_letters):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("past/000.txt", SEEDS["000"].read_text())
        out.writestr("past/004.txt", SEEDS["004"].read_text().encode("gb18030"))
    client.force_login(shanghai_demo.users["office"])
    preview = import_letters(client, [("letters.zip", archive.getvalue())])
    page = preview.content.decode()
    assert (
        "沪科提复〔2024〕24号" in page
        and "沪科建复〔2024〕40号" in page
        and "全部要素已识别" in page
    )
    assert not Reply.objects.exists()  # nothing saved by a preview
    record = preview.context["record"]
    assert record.state == "ready" and not record.stored  # the upload is not kept once read
    save = f"/office/import/{record.pk}/save"
    client.post(save, import_form(preview, confirm=(0, 1)))
    reply = Reply.objects.get(doc_number="沪科提复〔2024〕24号")
    assert reply.state == "sent" and reply.letter_date == date(2024, 5, 27)
    assert reply.assignment.proposal.reference == "市政协十四届二次会议第1136号提案"
    assert [
        p.name for p in reply.assignment.proposal.proposers.order_by("signatures__position")
    ] == [
        "章毅",
        "张远波",
        "朱军红",
    ]
    unit = reply.assignment.unit
    assert allocate_doc_number(unit, "提复", 2024) == "沪科提复〔2024〕25号"  # never reused
    again = client.post(save, import_form(preview, confirm=(0, 1)), follow=True)
    assert "已保存 2 份" in again.content.decode() and Reply.objects.count() == 2


def test_an_opinion_is_imported_for_its_lead_unit(shanghai_demo):
    from proposals.models import Jurisdiction
    from responses.actions import import_letter

    yunnan = Jurisdiction.objects.get(name="云南省")
    opinion = import_letter(
        shanghai_demo.users["yn_office"], parse(SEEDS["003"].read_text()), yunnan
    )
    assert isinstance(opinion, Opinion) and opinion.lead_unit.name == "云南省卫生健康委员会"
    assert opinion.doc_number == "" and opinion.class_label == "A"


def test_gaps_are_saved_only_when_accepted_and_nothing_half(client, shanghai_demo, import_letters):
    broken = "某某\n没有标题的文字\n"
    client.force_login(shanghai_demo.users["office"])
    files = [("000.txt", SEEDS["000"].read_text().encode()), ("broken.txt", broken.encode())]
    record = import_letters(client, files).context["record"]
    response = client.post(f"/office/import/{record.pk}/save", follow=True)
    assert "未保存任何函件" in response.content.decode()
    assert not Reply.objects.exists()


def test_the_page_names_each_gap_in_chinese_and_a_confirmed_letter_needs_what_saving_needs(
    client, shanghai_demo, import_letters
):
    undated = re.sub(r"2024 ?年 ?5 ?月 ?27 ?日", "", SEEDS["000"].read_text())
    no_reference = undated.replace("第1136号提案", "提案")
    client.force_login(shanghai_demo.users["office"])
    page = import_letters(client, [("a.txt", no_reference.encode())])
    html = page.content.decode()
    record = page.context["record"]
    gaps = html.split("未识别</span>", 1)[1].split("</p>", 1)[0]
    assert "届次会议" in gaps and "案号" in gaps and "成文日期" in gaps
    for key in ("number", "letter_date", "signing_organ", "doc_number", "class_label", "session"):
        assert f">{key}<" not in html and key not in gaps
    assert "发文字号" in html and "承办单位（发文机关）" in html
    response = client.post(f"/office/import/{record.pk}/save", import_form(page, confirm=(0,)))
    form = response.context["letters"][0]["form"]
    assert set(form.errors) == {"session", "number", "letter_date"}  # 提案 names the kind
    assert not Reply.objects.exists()


def test_a_confirmed_letter_without_its_date_is_never_saved(client, shanghai_demo, import_letters):
    undated = re.sub(r"2024 ?年 ?5 ?月 ?27 ?日", "", SEEDS["000"].read_text())
    client.force_login(shanghai_demo.users["office"])
    page = import_letters(client, [("a.txt", undated.encode())])
    record = page.context["record"]
    response = client.post(f"/office/import/{record.pk}/save", import_form(page, confirm=(0,)))
    assert response.status_code == 200  # a TypeError (500) on the former main
    assert "成文日期" in response.content.decode() and not Reply.objects.exists()
    assert "letter_date" in response.context["letters"][0]["form"].errors


def test_a_gap_saving_can_accept_is_named_in_english_too_and_saved_empty(
    client, shanghai_demo, import_letters
):
    from django.utils import translation

    no_contact = SEEDS["000"].read_text().replace("章毅、张远波、朱军红等委员：", "")
    client.force_login(shanghai_demo.users["office"])
    page = import_letters(client, [("a.txt", no_contact.encode())])
    html = page.content.decode()
    assert "未识别" in html and "主送" in html
    record = page.context["record"]
    with translation.override("en"):
        english = client.get(
            f"/office/import/{record.pk}/", HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    gaps = english.split('<p class="problems">', 1)[1].split("</p>", 1)[0]
    assert "addressee" not in gaps and ">addressee<" not in english
    client.post(f"/office/import/{record.pk}/save", import_form(page, confirm=(0,)))
    assert Reply.objects.get().addressee == ""


def test_the_command_names_gaps_in_chinese_and_never_saves_an_undated_letter(
    shanghai_demo, tmp_path
):
    from django.core.management import CommandError, call_command

    undated = re.sub(r"2024 ?年 ?5 ?月 ?27 ?日", "", SEEDS["000"].read_text())
    (tmp_path / "a.txt").write_text(undated)
    out = io.StringIO()
    call_command("import_letters", str(tmp_path), jurisdiction="上海市", user="office", stdout=out)
    assert "成文日期" in out.getvalue() and "letter_date" not in out.getvalue()
    with pytest.raises(CommandError, match="成文日期"):  # a TypeError on the former main
        call_command(
            "import_letters",
            str(tmp_path),
            jurisdiction="上海市",
            user="office",
            save=True,
            accept_gaps=True,
            stdout=out,
        )
    assert not Reply.objects.exists()
