"""One structured letter, rendered three ways: HTML (the preview and the public page), PDF
(WeasyPrint, set only in the typefaces Banli carries: see glyphs.py) and DOCX (python-docx,
with the font names of a clerk's Word), all in the GB/T 9704 order of elements. Sent letters
are frozen: their PDF and DOCX are rendered once and kept with a content hash."""

import atexit
import hashlib
import itertools
import math
import re
import shutil
from functools import cache
from io import BytesIO

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
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
# GB/T 9704's grid: 22 lines of 28 characters in the 156 × 225 mm type area. Word's exact line
# spacing is in twentieths of a point: 28.95 pt × 22 fits 225 mm (28.98 pt in the PDF). 3号
# characters drawn 0.25 pt closer make 28 (441 pt) fit 156 mm (442.2 pt), not 29.
LINE_PITCH = Pt(28.95)
GRID_SPACING = "-5"  # w:spacing, twentieths of a point
GRID_CHAR = 15.75  # pt: one character of the grid, for indents


def _run(paragraph, text, size=16, font=BODY_FONT, bold=False, colour=None, grid=False):
    run = paragraph.add_run(text)
    run.font.size, run.font.bold, run.font.name = Pt(size), bold, font
    properties = run._element.get_or_add_rPr()
    properties.get_or_add_rFonts().set(qn("w:eastAsia"), font)
    if colour:
        run.font.color.rgb = RGBColor.from_string(colour)
    if grid:
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), GRID_SPACING)
        later = ("w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u")
        properties.insert_element_before(spacing, *later, "w:effect", "w:lang", "w:eastAsianLayout")
    return run


def _paragraph(document, text="", align=None, indent=False, **style):
    """A paragraph at the grid's line pitch; `indent` sets its first line two characters in,
    and puts its characters on the grid."""
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = LINE_PITCH
    if align:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(2 * GRID_CHAR)
        style["grid"] = True
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


# ---- title lines (GB/T 9704 7.3.3: 梯形 or 菱形, broken where the sense allows) ----------------
TITLE_PER_LINE = 20  # 2号 (22 pt) characters across the 156 mm type area
OPENING, CLOSING = set("《（(〔[“‘「"), set("》）)〕]”’」，、。；：！？,.;:!?")
# Where a title reads on across a line break: after these, or before these.
GOOD_AFTER = ("的", "号", "会议", "届", "》", "）", "、", "和", "与", "及", "并")
GOOD_BEFORE = ("关于", "对", "《", "提案", "建议", "议案", "意见", "会办", "代表", "第")
GOOD_BEFORE += ("进一步", "加快", "加强", "推进", "推动", "支持", "促进", "完善", "建立", "发展")
# Words never split (a break between their characters reads as a typo).
WORDS = ("关于", "答复", "提案", "建议", "议案", "意见", "会议", "政协", "人大", "代表建议", "委员")
NUMBERED = re.compile(r"第?[0-9０-９一二三四五六七八九十百千〇零]+(号|届|次会议|次)|第[0-9０-９]+")


def text_width(text):
    """Width in em of the title face: a CJK character 1, a Latin letter or digit about 0.6."""
    return sum(0.6 if ord(c) < 0x2E80 and c not in "—…" else 1.0 for c in text)


def _break_cost(text, at):
    """The cost of a line break before text[at]: None where it may never fall."""
    before, after = text[at - 1], text[at]
    if before in OPENING or after in CLOSING:
        return None
    if before.isascii() and after.isascii() and before.isalnum() and after.isalnum():
        return None  # inside a number
    if text[:at].count("〔") > text[:at].count("〕"):
        return None  # inside a year bracket
    if any(m.start() < at < m.end() for m in NUMBERED.finditer(text)):
        return None  # inside 第…号, 第…届, 第…次
    if any(text.startswith(w, at - i) for w in WORDS for i in range(1, len(w))):
        return 30
    cost = 20
    if any(text[:at].endswith(w) for w in GOOD_AFTER) or any(
        text.startswith(w, at) for w in GOOD_BEFORE
    ):
        cost = 0
    if text[:at].count("《") > text[:at].count("》"):
        cost += 8  # inside a book title: only when it is long
    return cost


def _shape_ok(widths, slack=0.5):
    """梯形 (no line longer than the one above) or 菱形 (the longest line in the middle); a
    line longer by less than half a character (narrow digits) reads as equal."""
    widths = [w - i * slack for i, w in enumerate(widths)]  # slack at each step down
    if all(a >= b for a, b in zip(widths, widths[1:], strict=False)):
        return True
    top = widths.index(max(widths))
    return (
        0 < top < len(widths) - 1
        and all(a <= b for a, b in zip(widths[:top], widths[1 : top + 1], strict=False))
        and all(a >= b for a, b in zip(widths[top:], widths[top + 1 :], strict=False))
    )


def title_lines(title, per_line=TITLE_PER_LINE):
    """The title's lines: as few as fit `per_line` em, broken where the sense allows (after
    的 or 第…号, before 关于 or 提案, never inside a number or 〔〕), in a 梯形 or 菱形 shape,
    balanced, and never one character alone on a line."""
    title = " ".join(title.split())
    if text_width(title) <= per_line:
        return [title]
    costs = {at: _break_cost(title, at) for at in range(2, len(title) - 1)}
    points = sorted(at for at, cost in costs.items() if cost is not None)
    least = math.ceil(text_width(title) / per_line)
    for relaxed in (False, True):
        found = [
            _best_breaks(title, points, costs, count, per_line, relaxed)
            for count in range(least, least + 3)
        ]
        found = [f for f in found if f[0] is not None]
        if found:
            best = min(found, key=lambda f: f[1])[0]
            return [piece.strip() for piece in _pieces(title, best)]
    for count in range(least, least + 3):
        best = _balanced_breaks(title, points, costs, count, per_line)
        if best is not None:
            return [piece.strip() for piece in _pieces(title, best)]
    return _hard_wrap(title, per_line)


def _pieces(title, breaks):
    return [title[a:b] for a, b in zip((0, *breaks), (*breaks, len(title)), strict=True)]


def _best_breaks(title, points, costs, count, per_line, relaxed):
    """The best count - 1 break points and their score (lower is better), or (None, None)."""
    if count - 1 > len(points) or math.comb(len(points), count - 1) > 200_000:
        return None, None
    best, best_score = None, None
    for breaks in itertools.combinations(points, count - 1):
        pieces = _pieces(title, breaks)
        widths = [text_width(p) for p in pieces]
        if max(widths) > per_line or min(len(p.strip()) for p in pieces) < 2:
            continue
        if not relaxed and not _shape_ok(widths):
            continue
        score = sum(costs[at] for at in breaks) + max(widths) - min(widths) + 8 * count
        if best_score is None or score < best_score:
            best, best_score = breaks, score
    return best, best_score


def _balanced_breaks(title, points, costs, count, per_line):
    """For a title too long to try every way (five lines and more): the break points that
    make `count` lines as even as the places to break allow (least squares, by dynamic
    programming), or None."""
    target = text_width(title) / count
    ends = [0, *points, len(title)]
    best = {(0, 0): (0.0, None)}  # (lines so far, index in ends) → (cost, previous index)
    for lines in range(1, count + 1):
        for j in range(1, len(ends)):
            options = []
            for i in range(j - 1, -1, -1):
                piece = title[ends[i] : ends[j]]
                if text_width(piece) > per_line:
                    break
                if (lines - 1, i) in best and len(piece.strip()) >= 2:
                    cost = best[lines - 1, i][0] + (text_width(piece) - target) ** 2
                    options.append((cost + (costs[ends[j]] if j < len(ends) - 1 else 0), i))
            if options:
                best[lines, j] = min(options)
    if (count, len(ends) - 1) not in best:
        return None
    breaks, j = [], len(ends) - 1
    for lines in range(count, 0, -1):
        j = best[lines, j][1]
        breaks.append(ends[j])
    return tuple(sorted(breaks[:-1]))


def _hard_wrap(title, per_line):
    """A title with nowhere to break (one long number, say): cut it by width."""
    lines, line = [], ""
    for char in title:
        if line and text_width(line + char) > per_line:
            lines.append(line)
            line = ""
        line += char
    if len(lines) and len(line) < 2:
        line = lines[-1][-1] + line
        lines[-1] = lines[-1][:-1]
    return [*lines, line]


# ---- 附注 and 附件说明 -------------------------------------------------------------------------
CONTACT_FIELDS = (
    ("contact_office", "联系处室"),
    ("contact_person", "联系人"),
    ("contact_phone", "联系电话"),
    ("contact_address", "联系地址"),
    ("contact_postcode", "邮政编码"),
)


def contact_note(office="", person="", phone="", address="", postcode=""):
    """The 附注 with the contact: one shape whatever is filled, in full-width brackets, the
    parts in one order separated by "；", an empty part left out ("" when all are empty)."""
    values = (office, person, phone, address, postcode)
    parts = [
        f"{label}：{value.strip()}"
        for (_field, label), value in zip(CONTACT_FIELDS, values, strict=True)
        if value and value.strip()
    ]
    return f"（{'；'.join(parts)}）" if parts else ""


def attachment_labels(letter):
    """What the letter's 附件说明 names: each attachment's file name without its extension."""
    if letter.pk is None:
        return []
    return [a.download_name.rsplit(".", 1)[0] for a in letter.attachments.all()]


def attachment_lines(labels):
    """附件说明 (GB/T 9704 7.3.5): "附件：name" for one, "附件：1. name" then "2. name"
    (set under the first name) for more."""
    if len(labels) == 1:
        return [("attachment", f"附件：{labels[0]}")]
    numbered = [f"{n}. {label}" for n, label in enumerate(labels, 1)]
    return [("attachment", f"附件：{numbered[0]}")] + [
        ("attachment-more", text) for text in numbered[1:]
    ]


def _page_numbers(document, section):
    """GB/T 9704 7.5: "— 1 —" in 4号 under the type area, odd pages right and even pages
    left, one character in from the edge: a PAGE field in the odd and the even footer."""
    document.settings.odd_and_even_pages_header_footer = True
    section.footer_distance = Mm(25)  # the middle of a 14 pt line 28 mm up: 7 mm under the area
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        paragraph = footer.paragraphs[0]
        paragraph.alignment = align
        indent = "right_indent" if align == WD_ALIGN_PARAGRAPH.RIGHT else "left_indent"
        setattr(paragraph.paragraph_format, indent, Pt(14))
        _run(paragraph, "— ", size=14, font="宋体")
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), "PAGE")
        field.append(_run(paragraph, "1", size=14, font="宋体")._element)
        paragraph._p.append(field)
        _run(paragraph, " —", size=14, font="宋体")


def chinese_date(day):
    return f"{day.year}年{day.month}月{day.day}日"


def disclosure_words(letter):
    """公开属性 as the letter prints it: a letter is a Chinese document, whatever language
    the page showing it is read in."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(letter.get_disclosure_display())


def lines(letter):
    """The letter's elements in print order, as (role, text): the one definition of what a
    letter shows and in which order, for the HTML page (and so the PDF) and the DOCX.
    A letter not yet sent shows where its number and date will go. The title's text holds
    its line breaks ("\n", from title_lines), for the page and the DOCX alike."""
    j = letter.assignment.proposal.session.jurisdiction
    draft = letter.sent_at is None
    out = []
    if j.class_mark_style == "line" and letter.carries_result_and_disclosure():
        if letter.class_label:
            out.append(("headline", f"办理结果：{letter.class_label}"))
        out.append(("headline", f"公开属性：{disclosure_words(letter)}"))
    elif j.class_mark_style == "paren" and letter.class_label:
        out.append(("mark", f"({letter.class_label}类)"))
    out.append(("organ", letter.signing_organ))
    if j.class_mark_style == "plain":  # seed 003: the class and 公开 under the organ mark
        if letter.class_label:
            out.append(("mark", letter.class_label))
        public = letter.disclosure in ("full", "summary")
        out.append(("mark", "公开" if public else disclosure_words(letter)))
    if letter.doc_number or draft:
        out.append(("number", letter.doc_number or _("（发文字号发出时生成）")))
    if letter.show_signer and letter.signer_name:
        out.append(("signer", f"签发人：{letter.signer_name}"))
    out += [("title", "\n".join(title_lines(letter.title))), ("addressee", f"{letter.addressee}：")]
    out += [("body", p.strip()) for p in letter.body.splitlines() if p.strip()]
    labels = attachment_labels(letter)
    if labels:
        out += attachment_lines(labels)
    out.append(("signing", letter.signing_organ))
    if letter.letter_date or draft:
        out.append(
            ("date", chinese_date(letter.letter_date) if letter.letter_date else _("（成文日期）"))
        )
    if letter.disclosure == "full" and j.class_mark_style == "paren":
        out.append(("note", "（此件公开发布）"))
    note = contact_note(*(getattr(letter, field) for field, _label in CONTACT_FIELDS))
    if note:
        out.append(("note", note))
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
    _page_numbers(document, section)
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
            paragraph = _paragraph(document, align=centre)
            first, *more = text.split("\n")  # the title's own line breaks (title_lines)
            run = _run(paragraph, first, size=22, font=TITLE_FONT)
            for line in more:
                run.add_break()
                run = _run(paragraph, line, size=22, font=TITLE_FONT)
        elif role in ("body", "note"):
            _paragraph(document, text, indent=True)
        elif role == "attachment":
            _paragraph(document, text, indent=True).paragraph_format.space_before = LINE_PITCH
        elif role == "attachment-more":
            paragraph = _paragraph(document, text, grid=True)
            paragraph.paragraph_format.left_indent = Pt(5 * GRID_CHAR)  # under the first name
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
