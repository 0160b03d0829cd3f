"""One structured letter, rendered three ways: HTML (the preview and the public page), PDF
(WeasyPrint, set only in the typefaces Banli carries: see glyphs.py) and DOCX (python-docx,
with the font names of a clerk's Word), all in the GB/T 9704 order of elements. Sent letters
are frozen: their PDF and DOCX are rendered once and kept with a content hash."""

import atexit
import hashlib
import shutil
from functools import cache
from io import BytesIO

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from workflow.audit import ActionRefused

from . import glyphs

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"


def html(letter):
    return render_to_string("responses/letter_print.html", {"letter": letter})


class BrokenLetter(ActionRefused):
    """The letter cannot be rendered with every glyph: it is neither sent nor frozen."""


def missing_glyphs(letter):
    """The characters of the letter no Banli typeface has (empty when all are covered)."""
    return glyphs.uncovered(text for _role, text in lines(letter))


def require_glyphs(letter):
    missing = missing_glyphs(letter)
    if missing:
        raise BrokenLetter(
            _("函件中有内置字体没有的字：%(chars)s。请改用常用字或核对后再发出。")
            % {"chars": glyphs.describe(missing)}
        )


@cache
def _print_setup():
    """The stylesheets and the font configuration, made once per process: loading the
    faces is most of a cold render."""
    from weasyprint import CSS  # loads Pango: only when a PDF is asked for
    from weasyprint.text.fonts import FontConfiguration

    config = FontConfiguration()  # copies the faces to a folder of its own: removed at exit
    atexit.register(_remove_folder, config)
    faces = CSS(string=glyphs.font_face_css(), font_config=config)
    sheet = CSS(filename=finders.find("css/letter-print.css"), font_config=config)
    return config, [faces, sheet]


def _remove_folder(config):
    shutil.rmtree(getattr(config, "_folder", None) or "", ignore_errors=True)
    config._folder = None  # WeasyPrint's own cleanup, at interpreter exit, has nothing to do


def pdf(letter, seal=None):
    """The letter as PDF, checked: every character is in Banli's faces before rendering,
    and after it only Banli's fonts are embedded, no glyph is the empty box and the PDF's
    text is the letter's. Raises BrokenLetter (or glyphs.RenderingUnavailable) otherwise.
    `seal(content, document)`, when given, signs the checked file (signing.sealer)."""
    require_glyphs(letter)
    glyphs.require_rendering()
    from weasyprint import HTML

    config, stylesheets = _print_setup()
    document = HTML(string=html(letter), base_url=str(settings.BASE_DIR)).render(
        stylesheets=stylesheets, font_config=config
    )
    content = document.write_pdf()
    problems = glyphs.embedding_problems(document)
    problems += glyphs.text_problems(content, [text for _role, text in lines(letter)])
    if problems:
        raise BrokenLetter(
            _("生成的PDF有误，未保存：%(problems)s。") % {"problems": "；".join(problems)}
        )
    return seal(content, document) if seal else content


# ---- DOCX ------------------------------------------------------------------------------------
def _run(paragraph, text, size=16, font=BODY_FONT, bold=False, colour=None):
    run = paragraph.add_run(text)
    run.font.size, run.font.bold, run.font.name = Pt(size), bold, font
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    if colour:
        run.font.color.rgb = RGBColor.from_string(colour)
    return run


def _paragraph(document, text="", align=None, indent=False, **style):
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = Pt(28.9)
    if align:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(32)
    if text:
        _run(paragraph, text, **style)
    return paragraph


def _rule(paragraph, colour="DD0000", size=12, where="bottom"):
    borders = OxmlElement("w:pBdr")
    line = OxmlElement(f"w:{where}")
    for key, value in {"val": "single", "sz": str(size), "space": "1", "color": colour}.items():
        line.set(qn(f"w:{key}"), value)
    borders.append(line)
    paragraph._p.get_or_add_pPr().append(borders)


def chinese_date(day):
    return f"{day.year}年{day.month}月{day.day}日"


def lines(letter):
    """The letter's elements in print order, as (role, text): the one definition of what a
    letter shows and in which order, for the HTML page (and so the PDF) and the DOCX.
    A letter not yet sent shows where its number and date will go."""
    j = letter.assignment.proposal.session.jurisdiction
    draft = letter.sent_at is None
    out = []
    if j.class_mark_style == "line":
        if letter.class_label:
            out.append(("headline", f"办理结果：{letter.class_label}"))
        out.append(("headline", f"公开属性：{letter.get_disclosure_display()}"))
    elif j.class_mark_style == "paren" and letter.class_label:
        out.append(("mark", f"({letter.class_label}类)"))
    out.append(("organ", letter.signing_organ))
    if j.class_mark_style == "plain":  # seed 003: the class and 公开 under the organ mark
        if letter.class_label:
            out.append(("mark", letter.class_label))
        public = letter.disclosure in ("full", "summary")
        out.append(("mark", "公开" if public else letter.get_disclosure_display()))
    if letter.doc_number or draft:
        out.append(("number", letter.doc_number or _("（发文字号发出时生成）")))
    if letter.show_signer and letter.signer_name:
        out.append(("signer", f"签发人：{letter.signer_name}"))
    out += [("title", letter.title), ("addressee", f"{letter.addressee}：")]
    out += [("body", p.strip()) for p in letter.body.splitlines() if p.strip()]
    out.append(("signing", letter.signing_organ))
    if letter.letter_date or draft:
        out.append(
            ("date", chinese_date(letter.letter_date) if letter.letter_date else _("（成文日期）"))
        )
    if letter.disclosure == "full" and j.class_mark_style == "paren":
        out.append(("note", "(此件公开发布)"))
    if letter.contact_office:
        out.append(
            ("note", f"(联系处室：{letter.contact_office}，联系电话：{letter.contact_phone})")
        )
    elif letter.contact_address:
        for label, value in (
            ("联系人姓名", letter.contact_person),
            ("联系电话", letter.contact_phone),
            ("联系地址", letter.contact_address),
            ("邮政编码", letter.contact_postcode),
        ):
            if value:
                out.append(("note", f"{label}：{value}"))
    elif letter.contact_person:
        out.append(("note", f"(联系人及电话：{letter.contact_person}，{letter.contact_phone})"))
    if letter.cc_list:
        out.append(("cc", f"抄送：{'，'.join(letter.cc_list)}。"))
    if letter.issued_by:
        day = chinese_date(letter.issued_on) if letter.issued_on else ""
        out.append(("issued", f"{letter.issued_by}\t{day}印发"))
    return out


def docx(letter):
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    centre, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    for role, text in lines(letter):
        if role == "headline":
            _paragraph(document, text, font="黑体")
        elif role == "mark":
            _paragraph(document, text, align=right, font="黑体")
        elif role == "organ":
            _paragraph(
                document, text, align=centre, size=26, font=TITLE_FONT, bold=True, colour="DD0000"
            )
        elif role == "number":
            _rule(_paragraph(document, text, align=centre))
        elif role == "signer":
            _paragraph(document, text, align=right)
        elif role == "title":
            _paragraph(document, text, align=centre, size=22, font=TITLE_FONT)
        elif role in ("body", "note"):
            _paragraph(document, text, indent=True)
        elif role in ("signing", "date"):
            _paragraph(document, text, align=right)
        elif role == "cc":
            _rule(_paragraph(document, text, size=14), colour="000000", size=6, where="top")
        elif role == "issued":
            paragraph = _paragraph(document, text, size=14)
            _rule(paragraph, colour="000000", size=6, where="top")
            _rule(paragraph, colour="000000", size=6, where="bottom")
        else:
            _paragraph(document, text)
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def digest(content):
    return hashlib.sha256(content).hexdigest()
