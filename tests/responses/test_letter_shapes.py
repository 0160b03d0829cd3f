"""The shapes real reply letters have (issue 19), one short letter each; the command's JSON;
PDF input; a 1 MB one-line file within time."""

import io
import json
import time
import zipfile
from datetime import date

import pytest
from django.core.management import call_command

from bench.parsers import pdf_file
from responses import importer
from responses.importer import parse, summary

TAIL = "感谢您的关心。\n某某市住房和城乡建设局\n2018年6月19日\n"


def letter(head, salutation="李华代表：", tail=TAIL):
    return f"{head}\n{salutation}\n你们提出的建议收悉，现答复如下：\n一、已办理。\n{tail}"


def test_signer_on_the_number_line_and_class_after_the_number():
    got = summary(
        parse(letter("某交函〔2021〕57号 签发人：王明\n关于市十五届人大二次会议第87号建议的答复"))
    )
    assert (got["doc_number"], got["signer"]) == ("某交函〔2021〕57号", "王明")
    got = summary(
        parse(letter("签发人:王明  某交函〔2021〕57号\n关于市十五届人大二次会议第87号建议的答复"))
    )
    assert (got["doc_number"], got["signer"]) == ("某交函〔2021〕57号", "王明")
    got = summary(parse(letter("某建复〔2018〕7号(B类)\n关于市十五届人大二次会议第87号建议的答复")))
    assert (got["doc_number"], got["classification"]) == ("某建复〔2018〕7号", "B")
    got = summary(
        parse(letter("湘交建议复〔2017〕98号    A类\n关于市十五届人大二次会议第87号建议的答复"))
    )
    assert (got["doc_number"], got["classification"]) == ("湘交建议复〔2017〕98号", "A")


def test_labels_with_spaces_and_ascii_punctuation():
    text = letter("类 别:B\n签 发 人:王明\n关于市十五届人大二次会议第87号建议的答复")
    got = summary(parse(text + "抄 报:市督查局 市政协提案委\n"))
    assert got["classification"] == "B" and got["signer"] == "王明"
    assert got["cc"] == ["市督查局", "市政协提案委"]


def test_a_title_over_lines_with_the_number_after_the_break():
    got = summary(
        parse(letter("关于对政协某县第十届委员会第二次会议\n\n第14号提案的复函", "崔银雷委员:"))
    )
    assert got["title"] == "关于对政协某县第十届委员会第二次会议第14号提案的复函"
    assert (got["session"], got["item_number"], got["kind"]) == (
        "政协某县第十届委员会第二次会议",
        "14",
        "proposal",
    )


def test_a_letter_without_a_title_takes_its_item_from_the_first_sentence():
    text = (
        "李华代表：\n你们在市十五届人大二次会议上提出的《关于修路的建议》的第87号建议已转交我们研究办理，"
        "现答复如下：\n已办理。\n" + TAIL
    )
    got = summary(parse(text))
    assert got["title"] is None and "title" in got["missing"]
    assert (got["session"], got["item_number"], got["kind"]) == (
        "市十五届人大二次会议",
        "87",
        "suggestion",
    )


def test_a_title_naming_only_the_subject():
    got = summary(parse(letter("关于《加快修路》建议的答复")))
    assert got["title"] == "关于《加快修路》建议的答复" and got["item_number"] is None
    assert got["kind"] == "suggestion"


@pytest.mark.parametrize(
    "salutation, names",
    [
        ("尊敬的李华代表：", ["李华"]),
        ("×××等11位代表：", []),
        ("纪占斌等3名代表:", ["纪占斌"]),
        ("郭胜利、陈爱珍委员:", ["郭胜利", "陈爱珍"]),
        ("张一，张二，张三，张四，张五，张六，张七，张八，张九，张十，李一，李二代表：", None),
    ],
)
def test_salutations(salutation, names):
    got = summary(parse(letter("关于市十五届人大二次会议第87号建议的答复", salutation)))
    if names is None:
        assert len(got["addressee_names"]) == 12 and got["addressee_names"][-1] == "李二"
    else:
        assert got["addressee_names"] == names


@pytest.mark.parametrize(
    "title, first, kind",
    [
        ("关于《修路》提案的答复", "您提出的提案收悉。", "proposal"),
        ("关于《修路》的答复", "您提出的建议收悉。", "suggestion"),
        ("关于《修路》的答复", "您领衔提出的议案，会议主席团已将此列为建议案。", "suggestion"),
        ("某局关于某会议第3号提案会办意见的函", "现提出会办意见。", "opinion"),
    ],
)
def test_kinds_by_wording(title, first, kind):
    text = f"{title}\n某局：\n{first}\n已办理。\n{TAIL}"
    assert summary(parse(text))["kind"] == kind


@pytest.mark.parametrize(
    "notes, person, phone",
    [
        ("联系人：陈力 联系电话：6612345", "陈力", "6612345"),
        ("联系人及电话：陈力，6612345", "陈力", "6612345"),
        ("承办负责人：王五\n承办人及联系电话：赵六13900000000(手机号码)", "赵六", "13900000000"),
        ("联系单位及电话:某某局 68118611\n联 系 人:熊晓玮", "熊晓玮", "68118611"),
        ("(联系人:宋宇;联系电话:0851-85252214)", "宋宇", "0851-85252214"),
    ],
)
def test_contact_notes(notes, person, phone):
    got = summary(
        parse(letter("关于市十五届人大二次会议第87号建议的答复", tail=TAIL + notes + "\n"))
    )
    assert (got["contact_person"], got["contact_phone"]) == (person, phone)


def test_record_blocks_and_issue_lines():
    tail = (
        TAIL
        + "报：市人大常委会\n抄送：市政府办公室，市人大代表工委。\n某某局办公室 2018年6月20日印发\n"
    )
    parsed = parse(letter("关于市十五届人大二次会议第87号建议的答复", tail=tail))
    assert summary(parsed)["cc"] == ["市人大常委会", "市政府办公室", "市人大代表工委"]
    assert (
        parsed.fields["issued_on"] == date(2018, 6, 20)
        and parsed.fields["issued_by"] == "某某局办公室"
    )
    parsed = parse(
        letter("关于市十五届人大二次会议第87号建议的答复", tail=TAIL + "2018年6月20日印发\n")
    )
    assert (
        parsed.fields["issued_on"] == date(2018, 6, 20) and summary(parsed)["date"] == "2018-06-19"
    )


@pytest.mark.parametrize(
    "printed", ["二0一八年六月十九日", "二〇一八年六月十九日", "二○一八年 六月 十九日"]
)
def test_dates_in_chinese_numerals(printed):
    tail = f"感谢您的关心。\n某某市住房和城乡建设局\n{printed}\n"
    assert (
        summary(parse(letter("关于市十五届人大二次会议第87号建议的答复", tail=tail)))["date"]
        == "2018-06-19"
    )


def test_a_signature_without_organ_and_distractor_dates_in_the_body():
    text = letter(
        "关于市十五届人大二次会议第87号建议的答复",
        tail="项目已于2017年3月1日开工。\n2018年6月19日\n",
    )
    got = summary(parse(text))
    assert got["date"] == "2018-06-19" and got["signing_organ"] is None


def test_joint_handling_named_in_the_body():
    text = letter("关于市十五届人大二次会议第87号建议的答复").replace(
        "一、已办理。", "您提出的建议由我局与住建局分办。我部会同财政局、交通局办理。"
    )
    parsed = parse(text)
    assert parsed.joint_units == ["住建局", "财政局", "交通局"]
    assert summary(parsed)["signing_organ"] == "某某市住房和城乡建设局"


@pytest.mark.django_db
def test_the_command_prints_one_object_a_file(tmp_path):
    (tmp_path / "a.txt").write_text(
        letter("某建复〔2018〕7号(B类)\n关于市十五届人大二次会议第87号建议的答复")
    )
    (tmp_path / "b.pdf").write_bytes(image_pdf())
    out = io.StringIO()
    call_command("import_letters", str(tmp_path), json=True, stdout=out)
    found = json.loads(out.getvalue())
    assert [item["file"].rsplit("/", 1)[-1] for item in found] == ["a.txt", "b.pdf"]
    keys = {
        "file", "doc_number", "classification", "kind", "session", "item_number", "title",
        "addressee_names", "date", "signing_organ", "signer", "contact_person", "contact_phone",
        "cc", "missing", "unrecognised",
    }  # fmt: skip
    assert keys <= set(found[0])
    assert found[0]["date"] == "2018-06-19" and found[0]["addressee_names"] == ["李华"]
    assert found[0]["kind"] == "suggestion" and found[0]["cc"] == []
    assert "没有文字层" in found[1]["error"]
    summary_out = io.StringIO()
    call_command("import_letters", str(tmp_path / "a.txt"), stdout=summary_out)
    assert "某建复〔2018〕7号" in summary_out.getvalue()


# ---- PDF ----------------------------------------------------------------------------------
def pdf_of(content_stream, fonts=b""):
    """A one-page PDF around a content stream (a CJK font named, not embedded)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R"
        b" >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [6 0 R] >>",
        b"<< /Length %d >>\nstream\n" % len(content_stream) + content_stream + b"\nendstream",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo "
        b"<< /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> >>",
    ]
    return pdf_file(objects)


def text_pdf(text):
    ops = [b"BT /F1 12 Tf 14 TL 50 800 Td"]
    ops += [b"<%s> Tj T*" % line.encode("utf-16-be").hex().encode() for line in text.splitlines()]
    return pdf_of(b"\n".join([*ops, b"ET"]))


def image_pdf():
    """A scan: one grey pixel drawn over the page, no text."""
    return pdf_of(b"q 595 0 0 842 0 0 cm BI /W 1 /H 1 /BPC 8 /CS /G ID \x80 EI Q")


def test_a_text_layer_pdf_is_read_like_a_text():
    text = letter("某建复〔2018〕7号\n关于市十五届人大二次会议第87号建议的答复")
    [(name, read, refusal)] = importer.files_of("a.pdf", text_pdf(text))
    assert refusal == "" and summary(parse(read))["doc_number"] == "某建复〔2018〕7号"
    assert summary(parse(read))["date"] == "2018-06-19"


def test_a_pdf_in_a_zip_is_read_and_a_scan_refused_saying_why():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("a.pdf", text_pdf(letter("关于市十五届人大二次会议第87号建议的答复")))
        out.writestr("scan.pdf", image_pdf())
    found = {
        name: (text, refusal)
        for name, text, refusal in importer.files_of("x.zip", archive.getvalue())
    }
    assert found["a.pdf"][1] == "" and "第87号" in found["a.pdf"][0]
    assert found["scan.pdf"][0] is None
    assert (
        found["scan.pdf"][1]
        == "“scan.pdf”是扫描图像，没有文字层，无法识别。请上传带文字层的PDF或DOCX。"
    )


def test_a_file_that_is_not_a_pdf_is_refused_in_the_users_words():
    [(_name, text, refusal)] = importer.files_of("bad.pdf", b"%PDF-1.4 garbage")
    assert text is None and "不是有效的PDF文件" in refusal


def test_the_upload_preview_accepts_a_pdf():
    from proposals.untrusted import Budget

    budget = Budget(importer.LETTERS.total, importer.LETTERS.seconds, "a.pdf")
    text = letter("关于市十五届人大二次会议第87号建议的答复")
    [preview] = importer.previews_of([("a.pdf", text_pdf(text))], budget)
    assert preview["parsed"]["number"] == "87"


# ---- bounds -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "filler", ["会议第1号", "联系人：", "签发人：王明 ", "抄送：某、", "二0一八年", "某 "]
)
def test_a_one_megabyte_line_parses_within_two_seconds(filler):
    line = (filler * (1_000_000 // len(filler)))[:1_000_000]
    start = time.process_time()
    parse(letter("关于" + line + "的答复", tail=TAIL + line + "\n"))
    parse(line)
    assert time.process_time() - start < 2 * 2  # 2 s each, generous on a shared machine


def test_a_pdf_that_inflates_past_its_caps_is_refused():
    from bench.parsers import pdf_bomb

    [(_name, text, refusal)] = importer.files_of("bomb.pdf", pdf_bomb(50 * 1024 * 1024))
    assert text is None and "bomb.pdf" in refusal
