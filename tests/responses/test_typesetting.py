"""The letter typeset as a 文书 clerk expects (GB/T 9704-2012): titles broken where the sense
allows into 梯形 or 菱形 lines, one 附注 shape, the 附件说明, page numbers outside the type
area, and the body on the grid of 22 lines of 28 characters."""

import io
import itertools
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document
from docx.oxml.ns import qn

from responses import glyphs, rendering
from responses.actions import attach_file, save_letter, start_reply
from responses.importer import parse
from responses.rendering import contact_note, text_width, title_lines
from tests import factories

SEED_TITLES = {
    # seed 000 used to break "…第1136号提案的答 / 复"
    "对市政协十四届二次会议第1136号提案的答复": ["对市政协十四届二次会议", "第1136号提案的答复"],
    "山东省科学技术厅对省政协十三届一次会议第13010345号提案的答复意见": [
        "山东省科学技术厅对省政协十三届一次会议",
        "第13010345号提案的答复意见",
    ],
    "云南省科技厅关于政协云南省第十二届第三次会议第120300622号提案会办意见的函": [
        "云南省科技厅关于政协云南省",
        "第十二届第三次会议第120300622号",
        "提案会办意见的函",
    ],
    "对市十六届人大二次会议第0345号代表建议的答复": [
        "对市十六届人大二次会议",
        "第0345号代表建议的答复",
    ],
}

LONG_TITLES = [
    "关于对市政协十四届二次会议第1136号《关于进一步扶持干细胞治疗产业发展的提案》的答复",
    "关于市十六届人大二次会议第0345号代表建议的答复",
    "对省十四届人大一次会议第1024号建议的答复",
    "关于对政协第十四届全国委员会第二次会议第01234号（教育类123号）提案答复的函",
    "广东省科学技术厅关于省十四届人大二次会议第1234号代表建议答复的函",
    "对市政协十四届二次会议第0567号《关于加快推进我市低空经济产业高质量发展的提案》的答复",
    "关于政协浙江省第十三届委员会第二次会议第456号提案的答复",
    "北京市科学技术委员会、中关村科技园区管理委员会关于市十六届人大二次会议第0789号建议的答复",
    "对十四届全国人大二次会议第3456号建议的答复",
    "江苏省卫生健康委员会关于对省政协十三届二次会议第0123号提案的会办意见",
    "对区人大十七届四次会议第12号代表建议《关于在老旧小区加装电梯并完善配套设施的建议》的答复意见",
    "关于对市政协〔2024〕第88号提案《关于加强社区养老服务体系建设的建议》办理情况的函",
    "上海市科学技术委员会关于市十六届人大二次会议第0345号代表建议的答复",
]


@pytest.fixture
def draft(office, clerk, kewei):
    assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(assignment, clerk)
    return start_reply(assignment, clerk)


def shaped(widths):
    """梯形 or 菱形, allowing half a character for narrow digits."""
    return rendering._shape_ok(widths)


@pytest.mark.parametrize(("title", "expected"), SEED_TITLES.items())
def test_seed_titles_break_where_the_sense_allows(title, expected):
    assert title_lines(title) == expected


@pytest.mark.parametrize("title", [*SEED_TITLES, *LONG_TITLES])
def test_long_titles_break_into_balanced_lines_never_inside_a_number(title):
    got = title_lines(title)
    assert "".join(got) == title
    assert len(got) > 1 and all(text_width(line) <= rendering.TITLE_PER_LINE for line in got)
    assert all(len(line) >= 2 for line in got), got  # never one character alone
    assert shaped([text_width(line) for line in got]), got
    for upper, lower in itertools.pairwise(got):
        assert not (upper[-1].isdigit() and lower[0].isdigit()), got  # inside a number
        assert not (upper.endswith("第") or lower[0] in "号届次》）〕，、"), got
        assert upper.count("〔") == upper.count("〕"), got
        assert not (upper.endswith(("答", "提", "建", "会")) and lower[0] in "复案议"), got


def test_book_titles_are_not_broken_in_the_middle_of_a_word():
    lines = title_lines(LONG_TITLES[0])
    assert lines[0] == "关于对市政协十四届二次会议第1136号"
    assert lines[1].startswith("《关于进一步扶持干细胞")


def test_a_short_title_stays_on_one_line_and_nothing_is_left_alone():
    assert title_lines("对王委员所提建议的答复") == ["对王委员所提建议的答复"]
    assert title_lines("关于对市政协提案〔2024〕第88号的答复") == [
        "关于对市政协提案〔2024〕第88号的答复"
    ]
    # A title one character too long for a line does not push that character down alone.
    lines = title_lines("对市政协十四届二次会议第1136号提案的答复", per_line=19)
    assert min(len(line) for line in lines) >= 2


def test_a_title_with_nowhere_to_break_is_still_cut_to_the_line():
    lines = title_lines("1" * 60, per_line=20)
    assert "".join(lines) == "1" * 60 and all(text_width(line) <= 20 for line in lines)
    assert min(len(line) for line in lines) >= 2


# ---- 附注 -----------------------------------------------------------------------------------
FIELDS = ("office", "person", "phone", "address", "postcode")
VALUES = {
    "office": "资配处",
    "person": "王大宽",
    "phone": "021-12345678",
    "address": "人民大道200号",
    "postcode": "200003",
}
LABELS = {
    "office": "联系处室",
    "person": "联系人",
    "phone": "联系电话",
    "address": "联系地址",
    "postcode": "邮政编码",
}


@pytest.mark.parametrize("filled", list(itertools.product((False, True), repeat=5)))
def test_the_contact_note_has_one_shape_whatever_is_filled(filled):
    given = {f: VALUES[f] if on else "" for f, on in zip(FIELDS, filled, strict=True)}
    note = contact_note(**given)
    parts = [f"{LABELS[f]}：{VALUES[f]}" for f, on in zip(FIELDS, filled, strict=True) if on]
    assert note == (f"（{'；'.join(parts)}）" if parts else "")
    assert "(" not in note and ")" not in note and "，" not in note


def test_the_contact_note_examples():
    assert contact_note(person="王大宽", phone="021-12345678") == (
        "（联系人：王大宽；联系电话：021-12345678）"
    )
    assert contact_note(office="资配处", person="李四", phone="0531-51751086") == (
        "（联系处室：资配处；联系人：李四；联系电话：0531-51751086）"
    )
    assert contact_note(person="  ", phone="") == ""


@pytest.mark.parametrize("filled", list(itertools.product((False, True), repeat=5)))
def test_the_importer_reads_the_note_back(filled):
    given = {f: VALUES[f] if on else "" for f, on in zip(FIELDS, filled, strict=True)}
    if not any(given.values()):
        return
    letter = "\n".join(
        ["某市科学技术委员会", "对某某委员所提建议的答复", "张三委员：", "收悉。"]
        + ["某市科学技术委员会", "2024年5月27日", contact_note(**given)]
    )
    fields = parse(letter).fields
    for field, value in given.items():
        assert fields.get(f"contact_{field}", "") == value


@pytest.mark.django_db
def test_the_person_stays_in_the_note_when_the_office_is_filled(draft, clerk):
    draft = save_letter(
        draft,
        clerk,
        contact_office="资配处",
        contact_person="王大宽",
        contact_phone="0531-51751086",
        contact_address="",
        contact_postcode="",
    )
    notes = [text for role, text in rendering.lines(draft) if role == "note"]
    assert notes == ["（联系处室：资配处；联系人：王大宽；联系电话：0531-51751086）"]
    paragraphs = [p.text for p in Document(io.BytesIO(rendering.docx(draft))).paragraphs]
    assert notes[0] in paragraphs
    assert notes[0] in rendering.html(draft)


# ---- 附件说明 -------------------------------------------------------------------------------
def attach(draft, clerk, name):
    attach_file(draft, clerk, SimpleUploadedFile(name, b"%PDF-1.7\n%%EOF\n"))


@pytest.mark.django_db
def test_one_attachment_is_named_under_the_body(draft, clerk):
    draft = save_letter(draft, clerk, body="收悉。\n感谢您的关心。")
    attach(draft, clerk, "办理情况统计表.pdf")
    roles = rendering.lines(draft)
    at = roles.index(("attachment", "附件：办理情况统计表"))
    assert roles[at - 1][0] == "body" and roles[at + 1][0] == "signing"


@pytest.mark.django_db
def test_several_attachments_are_numbered_in_html_pdf_and_docx(draft, clerk):
    attach(draft, clerk, "办理情况统计表.pdf")
    attach(draft, clerk, "C:\\文件\\相关政策文件汇编.pdf")
    shown = [(role, text) for role, text in rendering.lines(draft) if "attachment" in role]
    assert shown == [
        ("attachment", "附件：1. 办理情况统计表"),
        ("attachment-more", "2. 相关政策文件汇编"),
    ]
    page = rendering.html(draft)
    assert '<p class="attachment">附件：1. 办理情况统计表</p>' in page
    assert '<p class="attachment-more">2. 相关政策文件汇编</p>' in page
    paragraphs = [p.text for p in Document(io.BytesIO(rendering.docx(draft))).paragraphs]
    at = paragraphs.index("附件：1. 办理情况统计表")
    assert paragraphs[at + 1] == "2. 相关政策文件汇编"
    text = glyphs.normalise(glyphs.pdf_text(rendering.pdf(draft)))
    assert glyphs.normalise("附件：1. 办理情况统计表2. 相关政策文件汇编") in text


@pytest.mark.django_db
def test_a_letter_without_attachments_names_none(draft):
    assert not [role for role, _text in rendering.lines(draft) if "attachment" in role]


# ---- title lines in HTML and DOCX --------------------------------------------------------------
@pytest.mark.django_db
def test_the_title_lines_are_the_same_in_html_and_docx(draft, clerk):
    title = "对市政协十四届二次会议第1136号提案的答复"
    draft = save_letter(draft, clerk, title=title)
    assert '<h2 class="title">对市政协十四届二次会议<br>第1136号提案的答复</h2>' in (
        rendering.html(draft)
    )
    document = Document(io.BytesIO(rendering.docx(draft)))
    paragraph = next(p for p in document.paragraphs if p.text.replace("\n", "") == title)
    assert paragraph.text == "对市政协十四届二次会议\n第1136号提案的答复"


# ---- page numbers -----------------------------------------------------------------------------
def render(body_html):
    """The print stylesheet applied to a sheet: WeasyPrint's laid-out document."""
    glyphs.require_rendering()
    from weasyprint import HTML

    config, stylesheets = rendering._print_setup()
    page = f'<html><body><article class="sheet">{body_html}</article></body></html>'
    return HTML(string=page).render(stylesheets=stylesheets, font_config=config)


def margin_boxes(page):
    return {box.at_keyword: box for box in page._page_box.children if hasattr(box, "at_keyword")}


def box_text(box):
    if hasattr(box, "text"):
        return box.text
    return "".join(box_text(child) for child in getattr(box, "children", []))


def test_page_numbers_sit_under_the_type_area_odd_right_even_left():
    document = render('<p class="body">收悉。</p>' * 60)
    assert len(document.pages) >= 3
    mm = 72 / 25.4 * 96 / 72  # CSS px per mm
    for number, page in enumerate(document.pages[:3], 1):
        boxes = {k: b for k, b in margin_boxes(page).items() if box_text(b).strip()}
        side = "@bottom-right" if number % 2 else "@bottom-left"
        assert list(boxes) == [side]
        box = boxes[side]
        assert re.sub(r"\s", "", box_text(box)) == f"—{number}—"
        assert box.position_y >= (297 - 35) * mm - 1  # below the 225 mm type area
        if number % 2:  # one character in from the type area's edge
            assert box.position_x + box.margin_width() <= (210 - 26) * mm + 1
        else:
            assert box.position_x >= 28 * mm - 1


@pytest.mark.django_db
def test_the_docx_numbers_its_pages_odd_right_even_left(draft):
    document = Document(io.BytesIO(rendering.docx(draft)))
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
        paragraph = footer.paragraphs[0]
        assert paragraph.alignment == {"right": 2, "left": 0}[align]
        fields = paragraph._p.findall(qn("w:fldSimple"))
        assert [f.get(qn("w:instr")) for f in fields] == ["PAGE"]
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")


# ---- the grid: 22 lines of 28 characters --------------------------------------------------------
LINE = "国务院办公厅关于进一步加强政协委员提案办理工作的意见年度计划"  # 30 characters


@pytest.mark.parametrize(
    ("paragraphs", "chars", "pages"),
    [
        (22, 26, 1),  # 2 characters of indent + 26: full lines, 22 to the page
        (23, 26, 2),  # a 23rd line starts the next page
        (11, 27, 1),  # 29 characters wrap: two lines each, still 22 lines
        (12, 27, 2),
    ],
)
def test_the_body_is_on_the_grid_of_22_lines_of_28_characters(paragraphs, chars, pages):
    body = f'<p class="body">{LINE[:chars]}</p>' * paragraphs
    assert len(render(body).pages) == pages


@pytest.mark.django_db
def test_the_docx_body_is_on_the_same_grid(draft, clerk):
    draft = save_letter(draft, clerk, body="收悉。")
    document = Document(io.BytesIO(rendering.docx(draft)))
    section = document.sections[0]
    width = (section.page_width - section.left_margin - section.right_margin) / 12700  # pt
    height = (section.page_height - section.top_margin - section.bottom_margin) / 12700
    body = next(p for p in document.paragraphs if p.text == "收悉。")
    pitch = body.paragraph_format.line_spacing.pt
    assert 22 * pitch <= height < 23 * pitch
    spacing = body.runs[0]._element.rPr.find(qn("w:spacing"))
    character = 16 + int(spacing.get(qn("w:val"))) / 20
    assert 28 * character <= width < 29 * character
    assert body.paragraph_format.first_line_indent.pt == pytest.approx(2 * character)
    # in schema order: the spacing before the size
    names = [child.tag.split("}")[1] for child in body.runs[0]._element.rPr]
    assert names.index("spacing") < names.index("sz")


def test_a_very_long_title_is_still_broken_where_the_sense_allows():
    title = LONG_TITLES[0] * 2  # five lines: too many ways to try them all
    got = title_lines(title)
    assert "".join(got) == title and len(got) == 5
    assert all(len(line) >= 2 and text_width(line) <= rendering.TITLE_PER_LINE for line in got)
    for upper, lower in itertools.pairwise(got):
        assert not (upper[-1].isdigit() and lower[0].isdigit()), got
        assert upper[-1] not in "《第" and lower[0] not in "》号", got
