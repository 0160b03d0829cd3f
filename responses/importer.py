"""Reading past reply letters (plain text or DOCX) into structured letters.

`parse(text)` returns what it recognised, element by element, and what it could not; the
office sees both before anything is saved. It handles the variations real letters have:
full-width or ASCII punctuation, Arabic or Chinese-numeral dates (二〇一七年三月五日), the class
as "A", "(B类)", "类别：B" or "办理结果：解决采纳", contact blocks in several shapes, a missing
signing organ before the date, and 抄报 beside 抄送.


Every pattern run on the uploaded text is linear in its input: anchored, with bounded or
single unnested repetition, and searched only where a literal anchors it (see `reference_in`).
`files_of` reads archives through `proposals.untrusted`: capped in members, sizes and time,
and an archive inside an archive is refused by name.
"""

import io
import logging
import re
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from proposals.untrusted import (
    ARCHIVE_SUFFIXES,
    Budget,
    Caps,
    Refused,
    checked_zip,
    open_zip,
)

logger = logging.getLogger(__name__)

CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "0": 0, "一": 1, "二": 2, "三": 3,
             "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip

# The class may follow the number on its line: 某建复〔2018〕7号(B类).
DOC_NUMBER = re.compile(
    r"^(?P<code>[\u4e00-\u9fa5]{1,10})：?[〔\[［【(（](?P<year>\d{4})[〕\]］】)）](?P<n>\d{1,6})号"
    r"(?:[(（](?P<c>[A-D])类?[)）]|(?P<bare>[A-D])类?)?$"
)
DATE = re.compile(r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日(?P<issued>印发)?$")
CN_YEAR = "〇零○ＯO0一二三四五六七八九"
CN_DATE = re.compile(rf"^(?P<y>[{CN_YEAR}]{{4}})年(?P<m>[一二三四五六七八九十]{{1,3}})月"
                     r"(?P<d>[一二三四五六七八九十]{1,3})日(?P<issued>印发)?$")  # fmt: skip
# A date closing a line after its issuer or organ ("某某办公室2018年6月20日印发"); searched
# from a bounded start, so each position is tried at most a few characters ahead.
TRAILING_DATE = re.compile(
    rf"(?:\d{{4}}|[{CN_YEAR}]{{4}})年[\d一二三四五六七八九十]{{1,3}}月[\d一二三四五六七八九十]{{1,3}}日(?:印发)?$"
)
RUN_DATE = re.compile(r"^(?P<y>20\d\d|19\d\d)(?P<rest>\d{2,4})$")  # 落款 "2023619"
CLASS_WORDS = "解决采纳|正在解决|计划解决|留作参考|已经解决|基本解决|列入计划|因条件限制暂不能解决"
CLASS_MARKS = [
    re.compile(r"^[(（](?P<c>[A-D])类?[)）]$"),
    re.compile(r"^(?P<c>[A-D])类?$"),
    re.compile(r"^(?:类别|分类|答复类别|办理类别|办复类别)[：][(（]?(?P<c>[A-D])类?[)）]?$"),
    re.compile(
        rf"^(?:办理结果|答复类别|办理类别|办复类别|类别)[：][(（]?(?P<c>{CLASS_WORDS}|[A-D]类?)[)）]?$"
    ),
]
DISCLOSURES = {
    "主动公开·全文": "full", "主动公开全文": "full", "主动公开·摘要": "summary",
    "依申请公开": "on_request", "不予公开": "withheld", "公开": "full", "此件公开发布": "full",
    "此件主动公开": "full", "不公开": "withheld", "主动公开": "full", "此件不公开": "withheld",
    "同意公开": "full",
    "公开方式：主动公开": "full", "公开属性：主动公开": "full", "是否同意公开：是": "full",
    "是否同意公开：否": "withheld",
}  # fmt: skip
# The session is everything before “…会议第N号…” / “…届第N号…”: the anchor is searched, and the
# session is the text before it, so no unbounded repetition scans ahead from every position
# (the former `.+?(?:会议|届)第…` was quadratic on a long line).
REFERENCE = re.compile(r"(?P<end>会议|届)第(?P<number>\d{1,9})号(?P<kind>代表建议|建议|提案)")
# The item's number alone (第87号, 第 0021 号), its kind when it follows.
ITEM_NUMBER = re.compile(r"第(?P<number>\d{1,9})号(?P<kind>代表建议|建议|提案|议案)?")
SESSION_ITEM = re.compile(
    r"(?P<end>会议(?:闭会期间)?|届)[\u4e00-\u9fa5]{0,2}：?第?(?P<number>\d{1,9})号"
    r"(?P<kind>代表建议|建议|提案|议案)?"
)
# A document number printed after the title in brackets: "…的答复[浙交建〔2018〕101号]".
TITLE_DOC_NUMBER = re.compile(r"[\[［【](?P<doc>[^\[\]［］【】]{3,30}号)[\]］】]$")
SIGNER_LABELS = ("签发人：", "领导签发：", "签发：", "签发领导：")
# "你们在市十五届人大二次会议上提出的…": the meeting named in the body's first sentence.
SESSION_IN_BODY = re.compile(r"在(?P<session>[^，。；、在《“]{2,40}?会议)")
# "此复函已经霍小燕副书记审签": the signer named in the body (the word before 审签/签发).
SIGNED_IN_BODY = re.compile(
    r"经(?P<who>[\u4e00-\u9fa5]{2,3}?)副?(?:书记|局长|主任|县长|区长|市长|厅长|部长|主席)"
    r"(?:审签|签发|审定)"
)
JOINT = re.compile(r"(?:会同|由我[局委部厅办]与)(?P<units>[^，。；]{2,60}?)(?:分办|共同办理|办理)")
ADDRESSEE = re.compile(r"^(?P<who>[^：。]{1,200})[：:]$")
NAME = re.compile(r"^[\u4e00-\u9fa5·]{2,8}$")
NOT_NAMES = {"各位", "诸位", "全体", "你们", "您们", "尊敬的"}
MASKED = re.compile(r"[×xX*＊某]{2}|×")
ORGAN_ENDS = (
    "局", "委", "厅", "部", "办", "院", "会", "政府", "室", "处", "中心", "署", "馆", "所", "社",
    "委员会", "管委会", "公司", "队", "站", "团",
)  # fmt: skip
TITLE_ENDS = (
    "答复",
    "答复意见",
    "的函",
    "复函",
    "回复",
    "答复函",
    "会办意见",
    "协办意见",
    "的意见",
)
KIND_WORDS = {"提案": "提案", "议案": "建议", "建议": "建议"}


@dataclass
class Parsed:
    fields: dict = field(default_factory=dict)
    proposers: list = field(default_factory=list)  # [(name, "member" | "deputy")]
    session_name: str = ""
    number: str = ""
    kind: str = ""
    is_opinion: bool = False
    missing: list = field(default_factory=list)
    unrecognised: list = field(default_factory=list)
    # Units the body says share the handling (分办, 会同…办理), as written; never saved.
    joint_units: list = field(default_factory=list)

    @property
    def complete(self):
        return not self.missing

    @property
    def blocking(self):
        """The gaps no "接受缺项" can accept: without them the letter cannot be saved (its
        unit, its item in its session, its date; an opinion's lead unit)."""
        needed = REQUIRED + (("addressee",) if self.is_opinion else ())
        return [key for key in self.missing if key in needed]


# What `actions.import_letter` needs to save a letter at all.
REQUIRED = ("title", "signing_organ", "letter_date", "session", "number")
# The elements that are not fields of a letter (those are named by their verbose_name).
OWN_LABELS = {"session": gettext_lazy("届次会议"), "number": gettext_lazy("案号")}


def label(key):
    """An element's name as the user knows it (标题, 主送, 届次会议 …), never its field key."""
    from .models import Reply  # the models never import the importer: no cycle

    if key in OWN_LABELS:
        return str(OWN_LABELS[key])
    try:
        return str(Reply._meta.get_field(key).verbose_name)
    except Exception:  # FieldDoesNotExist: an element the importer added without a label
        return key


def labels(keys):
    return "、".join(label(key) for key in keys)


def chinese_to_int(text):
    if all(c in CN_DIGITS for c in text) and len(text) == 4:
        return int("".join(str(CN_DIGITS[c]) for c in text))
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + CN_DIGITS[text[1]]
    if text.endswith("十"):
        return CN_DIGITS[text[0]] * 10
    if "十" in text:
        tens, ones = text.split("十")
        return CN_DIGITS[tens] * 10 + CN_DIGITS[ones]
    return CN_DIGITS[text]


def _day(y, m, d):
    try:
        return date(y, m, d)
    except ValueError:  # 2月30日: not a date, so not the letter's
        return None


def read_date(line):
    found = DATE.match(line)
    if found:
        day = _day(int(found["y"]), int(found["m"]), int(found["d"]))
        return day, bool(found["issued"] and day)
    found = CN_DATE.match(line)
    if found:
        try:
            parts = [chinese_to_int(found[k]) for k in ("y", "m", "d")]
        except (KeyError, ValueError):
            return None, False
        day = _day(*parts)
        return day, bool(found["issued"] and day)
    return None, False


def run_date(line):
    """ "2023619" as a 落款 prints it: a date only when one reading of its digits is valid."""
    found = RUN_DATE.match(line)
    if not found:
        return None
    y, rest = int(found["y"]), found["rest"]
    readings = {_day(y, int(rest[:cut]), int(rest[cut:])) for cut in (1, 2) if 0 < cut < len(rest)}
    readings.discard(None)
    return readings.pop() if len(readings) == 1 else None


def split_dated(line):
    """ "某某办公室2018年6月20日印发" → ("某某办公室", date, issued); (line, None, False) if the
    line does not end with a date."""
    found = TRAILING_DATE.search(line, max(0, len(line) - 16))
    if not found:
        return line, None, False
    day, issued = read_date(found.group())
    return line[: found.start()], day, issued


def normalise(line, colons=True):
    """One line, markdown marks and inner spaces gone, ASCII colons made full-width (as
    printed when `colons` is false: a title or number keeps its own punctuation)."""
    line = HEADING.sub("", line.strip()).replace("**", "").replace("\u3000", " ")
    line = LOOSE_SPACES.sub("", line)
    return line.replace(":", "：") if colons and not CLOCK.search(line) else line


HEADING = re.compile(r"^#+\s*")
CLOCK = re.compile(r"\d:\d")
TIGHT = r"[\u4e00-\u9fa5\d〔〕（）()：:，]"
# A run of spaces beside a Chinese character, digit or bracket goes; others stay. Each run is
# tried once, from its start (`(?<!\s)`), and taken whole without backtracking (`\s++`), so
# the substitution is linear however long the run (a callback per run was 3 s a megabyte).
LOOSE_SPACES = re.compile(rf"(?<={TIGHT})\s++|(?<!\s)\s++(?={TIGHT})")


def text_of_docx(content, name="", budget=None):
    """A .docx's paragraphs. It is a zip: its sizes are checked within the caps before
    python-docx opens it (which parses its XML without resolving entities)."""
    from docx import Document

    checked_zip(name, content, DOCX, budget)
    try:
        document = Document(io.BytesIO(content))
    except Exception as exc:  # python-docx raises many kinds on a file that is not a .docx
        # Its words (in English) go to the log; the user is told in theirs.
        logger.info("%r is not a readable .docx: %r", name, exc)
        raise Refused(_("“%(name)s”不是有效的DOCX文件，无法读取。") % {"name": name}) from exc
    text = "\n".join(p.text for p in document.paragraphs)
    if len(text) > LETTER_CHARS:
        raise Refused(too_long(name))
    return text


def text_of_pdf(content, name="", budget=None):
    """A text-layer PDF's text, page by page, within the caps: its size, its pages, what pypdf
    may inflate and parse (`PDF_LIMITS`), the letter's characters and the upload's time
    budget. A PDF with no text (a scan) is refused saying so: Banli does not read images."""
    from pypdf import PdfReader, apply_configuration

    if len(content) > PDF_BYTES:
        raise Refused(too_long(name))
    try:
        with apply_configuration(**PDF_LIMITS):
            reader = PdfReader(io.BytesIO(content))
            if reader.is_encrypted:
                reader.decrypt("")  # a PDF locked only against editing opens without one
            texts = list(_pdf_pages(reader.pages, name, budget))
    except Refused:
        raise
    except Exception as exc:  # pypdf raises many kinds on a file that is not a PDF
        logger.info("%r is not a readable .pdf: %r", name, exc)
        raise Refused(_("“%(name)s”不是有效的PDF文件，无法读取。") % {"name": name}) from exc
    text = "\n".join(texts)
    if not text.strip():
        raise Refused(
            _("“%(name)s”是扫描图像，没有文字层，无法识别。请上传带文字层的PDF或DOCX。")
            % {"name": name}
        )
    return text


def _pdf_pages(pages, name, budget):
    if len(pages) > PDF_PAGES:
        raise Refused(
            _("“%(name)s”超过%(n)d页，不像是一份答复函。") % {"name": name, "n": PDF_PAGES}
        )
    chars = 0
    for page in pages:
        text = page.extract_text() or ""
        chars += len(text)
        if chars > LETTER_CHARS:
            raise Refused(too_long(name))
        yield text
        if budget is not None:
            budget.check_time()


def reference_in(line):
    """{"session", "number", "kind"} of the first reference in the line (its session at least
    one character before 会议/届), or None."""
    found = REFERENCE.search(line, 1)
    if found is None:
        return None
    return {
        "session": line[: found.end("end")],
        "number": found["number"],
        "kind": found["kind"],
    }


def item_in(title):
    """The item a title names when it is not "…会议第N号建议": "…会议建议：第009号", or a number
    alone ("县政协提案第21号"): the session is the text up to the last 会议 before the number,
    if any. Returns {"session", "number", "kind"} (session or kind may be "")."""
    found = SESSION_ITEM.search(title, 1)
    if found:
        return {
            "session": title[: found.end("end")],
            "number": found["number"],
            "kind": found["kind"] or "",
        }
    found = ITEM_NUMBER.search(title)
    if found is None:
        return None
    before = title[: found.start()]
    end = before.rfind("会议")
    session = before[: end + 2] if end > 0 else ""
    return {"session": session, "number": found["number"], "kind": found["kind"] or ""}


def session_of(prefix):
    """ "砚山县交通运输局关于砚山县第十六届…会议" → "砚山县第十六届…会议"."""
    return prefix.split("对", 1)[-1].split("关于", 1)[-1].strip('《》“”"').removeprefix("答复")


def _split_marks(raw):
    """A head line holding several marks ("某交函〔2021〕57号 签发人：王明", "签发人：王明
    某交函〔2021〕57号") is read as one line a mark: split at the spaces between them."""
    if len(raw) > 200 or ("签发" not in raw and "号" not in raw) or len(raw.split()) < 2:
        return [raw]
    parts = []
    for token in raw.split():
        bare = normalise(token)
        if bare == "类" and parts:  # "…19号 类 同意公开": the class slot printed empty
            continue
        starts = bare.startswith("签发人") or DOC_NUMBER.match(bare) or class_mark(bare)
        if not parts or starts or bare in DISCLOSURES:
            parts.append(token)
        else:
            parts[-1] += " " + token
    out = []
    for part in parts:  # "某交函〔2021〕57号签发人：王明" with no space between
        at = part.find("签发人")
        out += [part[:at], part[at:]] if at > 0 else [part]
    return out


RECORD_LABEL = re.compile(r"^\s*(?:抄\s*送|抄\s*报|报|主\s*送)\s*[:：]")


def _record_names(raw):
    """ "抄 报:市督查局 市政协提案委": on a record line a space separates two recipients, so it
    is kept as a separator before spaces are dropped."""
    found = RECORD_LABEL.match(raw)
    if not found or len(raw) > 2000:
        return raw
    names = raw[found.end() :].split()
    # "抄 报:县政府办 县政协提案委 联系单位: 县教育局": a label ends the list; the rest is
    # its own line, read as a note.
    label = next((k for k, name in enumerate(names) if name.endswith((":", "："))), len(names))
    rest = " ".join(names[label:])
    return raw[: found.end()] + "、".join(names[:label]) + ("\n" + rest if rest else "")


def class_mark(line):
    return next((m.match(line) for m in CLASS_MARKS if m.match(line)), None)


def lines_of(text):
    return [line for line, _printed in printed_lines(text)]


def printed_lines(text):
    """(normalised line, line as printed without inner spaces) for every non-empty line."""
    out = []
    for raw in text.splitlines():
        for part in (p for line in _record_names(raw).split("\n") for p in _split_marks(line)):
            line = normalise(part)
            if line and line != "---":
                out.append((line, normalise(part, colons=False)))
    return out


def parse(text):
    """Recognise a letter's elements; what stays unrecognised is reported, never guessed."""
    pairs = printed_lines(text)
    lines = [line for line, _printed in pairs]
    result = Parsed()
    i = _read_head(lines, pairs, result)
    i = _read_title(lines, pairs, i, result)
    if i < len(lines) and _salutation(lines[i]):
        result.fields["addressee"] = _salutation(lines[i])
        result.proposers = addressees(result.fields["addressee"])
        i += 1
        title = result.fields.get("title", "")
        if (  # 办理意见 to a unit: an opinion for the lead unit, whatever the title's verb
            not result.is_opinion
            and "意见" in title.replace("批评和意见", "").replace("意见建议", "")
            and not result.proposers
            and organ_like(result.fields["addressee"])
        ):
            result.is_opinion = True
    tail = lines[i:]
    j = _read_body(tail, result.fields)
    notes(tail[j:], result)
    _read_item_from_body(result)
    _note_missing(result)
    return result


def _salutation(line):
    found = ADDRESSEE.match(line)
    if not found or is_note(line) or line.startswith(("抄送", "抄报", "报：", "附件")):
        return ""
    who = found["who"].removeprefix("尊敬的")
    # A run of names or one unit: no part as long as a clause ("…收悉，现答复如下：").
    if "如下" in who or any(len(part) > 30 for part in re.split(r"[、，,]", who)):
        return ""
    return who


def _is_title_start(line):
    if len(line) > 200:
        return bool(reference_in(line))
    return (
        line.startswith(("关于", "对"))
        or "会议" in line
        or reference_in(line) is not None
        or line.endswith(TITLE_ENDS)
    )


def organ_like(line):
    return 2 <= len(line) <= 40 and line.endswith(ORGAN_ENDS) and not line.endswith("。")


def _read_mark(lines, pairs, i, result):
    """A head mark at line `i` (disclosure, class, 文号, 签发人) read into the result; False
    when the line is none of them."""
    fields, line = result.fields, lines[i]
    bare = line.strip("()（）")
    mark = class_mark(line)
    number = DOC_NUMBER.match(line)
    if line.startswith(("公开属性：", "公开方式：")):
        fields["disclosure"] = DISCLOSURES.get(line.split("：", 1)[1], "full")
    elif mark:
        fields["class_label"] = mark["c"].rstrip("类")
    elif bare in DISCLOSURES:
        fields["disclosure"] = DISCLOSURES[bare]
    elif number:
        printed = pairs[i][1]
        fields["doc_number"] = printed[: printed.rfind("号") + 1].replace("：", "").replace(":", "")
        if number["c"] or number["bare"]:  # "…19号(B类)", "…19号B类"
            fields["class_label"] = number["c"] or number["bare"]
    elif line.startswith(SIGNER_LABELS):
        signer = line.split("：", 1)[1]
        if NAME.match(signer):
            fields["signer_name"], fields["show_signer"] = signer, True
        else:
            result.unrecognised.append(line)
    else:
        return False
    return True


def _read_head(lines, pairs, result):
    """The head: class and disclosure lines, organ mark, number, 签发人, up to the title (or
    the salutation, or the body, when there is no title). Returns the index where it ends."""
    fields, head, i = result.fields, [], 0
    while i < len(lines):
        line = lines[i]
        if _read_mark(lines, pairs, i, result):
            pass
        elif _is_title_start(line) or _salutation(line) or len(line) > 60:
            break
        else:
            head.append(line)
        i += 1
    organs = [line.removesuffix("文件") for line in head]
    organs = [line for line in organs if organ_like(line)]
    if organs:
        fields["signing_organ"] = organs[0]
    result.unrecognised += [line for line in head if line.removesuffix("文件") not in organs[:1]]
    return i


def _read_title(lines, pairs, i, result):
    """The title from line `i`, and the item it answers; returns the next line's index."""
    if i >= len(lines) or not _is_title_start(lines[i]) or _salutation(lines[i]):
        return i
    start, title, printed = i, lines[i], pairs[i][1]
    # A title split over lines (blank lines between) continues until the salutation.
    while (
        i + 1 < len(lines)
        and not _salutation(lines[i + 1])
        and len(title) < 100
        and len(lines[i + 1]) <= 60
    ):
        nxt = lines[i + 1]
        if nxt.endswith(TITLE_ENDS) or not title.endswith(TITLE_ENDS):
            title, printed = title + nxt, printed + pairs[i + 1][1]
            i += 1
        else:
            break
    if not title.endswith(TITLE_ENDS) and len(title) > 100:
        return start  # a long line that ends no title: the body, not a title
    found = TITLE_DOC_NUMBER.search(printed, max(0, len(printed) - 40))
    if found and DOC_NUMBER.match(normalise(found["doc"])):
        result.fields.setdefault("doc_number", found["doc"])
        printed, title = printed[: found.start()], title[: len(title) - len(found.group())]
    result.fields["title"] = printed
    reference = reference_in(title) or item_in(title[:400])
    if reference:
        result.session_name = session_of(reference["session"])
        result.number, result.kind = reference["number"], reference["kind"] or ""
    result.is_opinion = any(word in title for word in ("会办意见", "协办意见", "会办", "协办"))
    i += 1
    while i < len(lines) and _read_mark(lines, pairs, i, result):
        i += 1
    return i


def _read_item_from_body(result):
    """What the title did not say, from the body's first paragraph: the session (你们在…会议上
    提出的), the number (第87号建议), the kind by its wording; 分办 / 会同 units; a signer the
    body names (此复函已经某某副书记审签)."""
    fields = result.fields
    body = fields.get("body", "")
    first = body.split("\n", 1)[0][:300]
    if not result.session_name:
        found = SESSION_IN_BODY.search(first)
        if found:
            result.session_name = session_of(found["session"])
    if not result.number:
        found = ITEM_NUMBER.search(first)
        if found:
            result.number = found["number"]
            result.kind = result.kind or found["kind"] or ""
    if not result.kind:
        result.kind = kind_by_wording(fields.get("title", ""), first, fields.get("addressee", ""))
    if not fields.get("signer_name"):
        found = SIGNED_IN_BODY.search(body[-2000:])
        if found:
            fields["signer_name"] = found["who"]
    result.joint_units = [
        unit
        for found in JOINT.finditer(body[:5000])
        for unit in re.split(r"[、，,和及]", found["units"])
        if organ_like(unit)
    ]


def kind_by_wording(title, first, addressee):
    """提案 / 建议 by how the letter names the item: the addressee's title first (委员 sit in
    the CPPCC, 代表 in the people's congress), then the title's and first sentence's words; a
    议案 the presidium made a 建议 (列为建议案) is a 建议."""
    if addressee.endswith(("委员", "委员们")):
        return "提案"
    if addressee.endswith(("代表", "代表们")):
        return "建议"
    for text in (title, first):
        if "建议案" in text or "主席团" in text:
            return "建议"
        if "提案" in text:
            return "提案"
        if "建议" in text or "议案" in text:
            return "建议"
    return ""


def _read_body(tail, fields):
    """The body runs until the signing organ + date, or the notes when there is no signature.
    Returns the index in `tail` where the notes start."""
    body, j = [], 0
    while j < len(tail):
        line = tail[j]
        day, issued = read_date(line) if len(line) < 20 else (None, False)
        day = day or (run_date(line) if len(line) < 10 else None)
        nxt = tail[j + 1] if j + 1 < len(tail) else ""
        nxt_day, nxt_issued = read_date(nxt) if len(nxt) < 20 else (None, False)
        nxt_day = nxt_day or (run_date(nxt) if len(nxt) < 10 else None)
        if nxt_day and not nxt_issued and organ_like(line):
            fields["signing_organ"] = line
            fields["letter_date"] = nxt_day
            j += 2
            break
        if day and not issued:
            fields["letter_date"] = day
            j += 1
            break
        organ, day, issued = split_dated(line) if len(line) < 60 else (line, None, False)
        if day and not issued and organ_like(organ):
            fields["signing_organ"], fields["letter_date"] = organ, day
            j += 1
            break
        if is_note(line) or is_record(line) or line.startswith(SIGNER_LABELS) or class_mark(line):
            break
        body.append(line)
        j += 1
    fields["body"] = "\n".join(join_broken(body))
    return j


def _note_missing(result):
    fields = result.fields
    for name in ("title", "addressee", "signing_organ", "body"):
        if not fields.get(name):
            result.missing.append(name)
    if not (fields.get("letter_date") or fields.get("issued_on")):
        result.missing.append("letter_date")
    if not result.session_name:
        result.missing.append("session")
    if not result.number:
        result.missing.append("number")


SENTENCE_ENDS = "。：；！？）”」:"


def join_broken(paragraphs):
    """Page breaks split paragraphs mid-sentence in extracted text: a long line that does not
    end a sentence continues on the next."""
    out = []
    for line in paragraphs:
        if out and len(out[-1]) > 20 and out[-1][-1] not in SENTENCE_ENDS:
            out[-1] += line
        else:
            out.append(line)
    return out


COUNTED = re.compile(r"等\d{1,4}[位名人]?$|等$")


def addressees(text):
    """章毅、张远波、朱军红等委员 → three members; 文彬代表 → a deputy; 尊敬的李华代表 → a deputy;
    ×××等11位代表 → nobody named; a unit → nobody. A part that does not read as a name is
    left out: a wrong proposer is worse than none."""
    text = text.removeprefix("尊敬的")
    for suffix, kind in (("委员", "member"), ("代表", "deputy")):
        bare = text.removesuffix("们")
        if bare.endswith(suffix) and not bare.endswith(("委员会委员", "代表团")):
            names = COUNTED.sub("", bare[: -len(suffix)])
            found = []
            for name in re.split(r"[、，,\s]", names):
                name = name.removesuffix(suffix).removesuffix("同志")
                if "政协" in name or "人大" in name:  # 刘苍林政协绿春县委员
                    name = re.split(r"政协|人大", name, maxsplit=1)[0]
                if NAME.match(name) and not MASKED.search(name) and name not in NOT_NAMES:
                    found.append((name, kind))
            return found
    return []


NOTE_START = re.compile(r"^[(（]?(?:联系|此件|承办|经办|邮政编码|邮编|电话|手机|传真|地址)")


def is_note(line):
    return bool(NOTE_START.match(line))


def is_record(line):
    return line.startswith(("抄送：", "抄报：", "报：", "主送：", "呈报：", "送：", "抄送"))


# Labels that begin a part of a contact note, even mid-line ("联系人：陈力联系电话：6612345").
NOTE_LABELS = (
    "联系人及联系电话：", "联系人及电话：", "联系单位及电话：", "承办人及联系电话：",
    "联系人姓名：", "联系人：", "联系电话：", "联系处室：", "联系单位：", "联系地址：",
    "邮政编码：", "承办负责人：", "承办人：", "经办人：", "手机：", "电话：", "传真：",
)  # fmt: skip
PHONE = re.compile(r"^[(（]?\d[\d\-－—()（）]{4,30}")


def note_parts(line):
    """A contact note read as one line a part: Banli's own 附注 "（联系处室：X；联系人：Y；
    联系电话：Z）", and "联系人：陈力联系电话：6612345" or "（联系人：乐希，联系电话：…）"."""
    bare = line.strip().strip("()（）")
    if not is_note(bare) or len(bare) > 300:
        return [line]
    cuts = set()
    for label_text in NOTE_LABELS:
        at = bare.find(label_text, 1)
        while at > 0:
            inside = any(
                other != label_text
                and other.endswith(label_text)
                and bare[max(0, at - len(other) + len(label_text)) : at + len(label_text)] == other
                for other in NOTE_LABELS
            )
            if not inside:
                cuts.add(at)
            at = bare.find(label_text, at + 1)
    parts, last = [], 0
    for at in sorted(cuts):
        parts.append(bare[last:at])
        last = at
    parts.append(bare[last:])
    return [part.strip("；;，, ") for part in parts if part.strip("；;，, ")]


def phone_of(text):
    """The first number as printed (dashes and brackets kept), without notes like (手机号码)."""
    text = text.strip("；;，,。 ")
    found = PHONE.match(text)
    if not found:
        return ""
    number = found.group().rstrip("(（")
    if number.count("(") != number.count(")") or number.count("（") != number.count("）"):
        number = number.rstrip("()（）")
    return number


def _person_and_phone(value):
    """ "陈力，6612345" / "尹定超7122804" / "陈力" → (person, phone)."""
    value = value.replace(",", "，")
    who, sep, rest = value.rpartition("，")
    if not sep or not phone_of(rest):
        who, rest = value, ""
        digits = next((k for k, c in enumerate(who) if c.isdigit()), len(who))
        who, rest = who[:digits], who[digits:]
    return who.strip(), phone_of(rest)


def _contact_note(bare, fields):
    """A contact line (联系处室, 联系单位, 联系人, 电话 …) read into fields; False if not one."""
    if bare.startswith("联系处室："):
        office, _sep, phone = bare.partition("，联系电话：")
        fields["contact_office"] = office.split("：", 1)[1]
        if phone:
            fields["contact_phone"] = phone
        return True
    if bare.startswith("联系单位："):
        fields["contact_office"] = bare.split("：", 1)[1].strip("，,；;")
        return True
    if bare.startswith("联系单位及电话："):
        who, phone = _person_and_phone(bare.split("：", 1)[1])
        fields["contact_office"] = who.strip("，,")
        if phone:
            fields["contact_phone"] = phone
        return True
    if bare.startswith(("联系人及电话：", "联系人及联系电话：", "承办人及联系电话：")):
        who, phone = _person_and_phone(bare.split("：", 1)[1])
        if who and NAME.match(who):
            fields["contact_person"] = who
        if phone:
            fields.setdefault("contact_phone", phone)
        return True
    if bare.startswith(("联系人姓名：", "联系人：", "承办人：", "经办人：")):
        who, phone = _person_and_phone(bare.split("：", 1)[1])
        office, _sep, name = who.replace(",", "，").rpartition("，")
        if office and NAME.match(name):  # "浙江省公路管理局计财处，戴京国"
            fields.setdefault("contact_office", office)
            who = name
        if NAME.match(who):
            fields["contact_person"] = who
        if phone:
            fields.setdefault("contact_phone", phone)
        return True
    if bare.startswith(("联系电话：", "电话：", "手机：")):
        phone = phone_of(bare.split("：", 1)[1])
        if phone:
            fields.setdefault("contact_phone", phone)
        return True
    return False


def _address_note(bare, fields):
    """承办负责人, the contact's address or postcode; False if not one."""
    if bare.startswith("承办负责人："):
        fields["contact_head"] = bare.split("：", 1)[1]
        return True
    if bare.startswith(("联系地址：", "地址：")):
        fields["contact_address"] = bare.split("：", 1)[1]
        return True
    if bare.startswith(("邮政编码：", "邮编：")):
        fields["contact_postcode"] = bare.split("：", 1)[1]
        return True
    return False


def _continues_record(line, day, following):
    """A line under 抄送/抄报 that carries on its list (no label, no date, before the 印发)."""
    return "：" not in line and not day and len(line) < 200 and not split_dated(following)[2]


def notes(lines, result):
    fields = result.fields
    lines = [part for line in lines for part in note_parts(line)]
    in_record = False
    for index, line in enumerate(lines):
        bare = line.strip("()（）")
        day, issued = read_date(line) if len(line) < 20 else (None, False)
        following = lines[index + 1] if index + 1 < len(lines) else ""
        continues = in_record and _continues_record(line, day, following)
        in_record = False
        if bare in DISCLOSURES:
            fields.setdefault("disclosure", DISCLOSURES[bare])
        elif _contact_note(bare, fields):
            pass
        elif line.startswith(SIGNER_LABELS) and NAME.match(line.split("：", 1)[1]):
            fields.setdefault("signer_name", line.split("：", 1)[1])
        elif class_mark(line):
            fields.setdefault("class_label", class_mark(line)["c"].rstrip("类"))
        elif day and not issued and not fields.get("letter_date"):
            fields["letter_date"] = day
        elif (
            organ_like(line)
            and not fields.get("letter_date")
            and read_date(following)[0]
            and not read_date(following)[1]
        ):
            fields["signing_organ"] = line
        elif _address_note(bare, fields):
            pass
        elif is_record(line) or continues:
            names = line.split("：", 1)[1] if is_record(line) else line
            names = re.split(r"[，,、；;\s]", names.rstrip("。."))
            previous = fields.get("cc", "")
            fields["cc"] = "\n".join(filter(None, [previous, *names]))
            in_record = not line.endswith(("。", "."))
        elif issued:
            fields["issued_on"] = day
        elif split_dated(line)[2]:
            issuer, day, _issued = split_dated(line)
            fields["issued_on"] = day
            if issuer:
                fields["issued_by"] = issuer
        elif index + 1 < len(lines) and read_date(lines[index + 1])[1]:
            fields["issued_by"] = line
        else:
            result.unrecognised.append(line)


KINDS = {"提案": "proposal", "建议": "suggestion", "代表建议": "suggestion", "议案": "suggestion"}


def summary(parsed):
    """A parsed letter as `import_letters --json` prints it and the accuracy bench compares
    it: the one place the importer's elements get these names."""
    fields = parsed.fields
    day = fields.get("letter_date")
    if parsed.is_opinion:
        names = [fields["addressee"]] if fields.get("addressee") else []
        kind = "opinion"
    else:
        names = [name for name, _kind in parsed.proposers]
        kind = KINDS.get(parsed.kind)
    return {
        "doc_number": fields.get("doc_number") or None,
        "classification": fields.get("class_label") or None,
        "kind": kind,
        "session": parsed.session_name or None,
        "item_number": parsed.number or None,
        "title": fields.get("title") or None,
        "addressee_names": names,
        "date": day.isoformat() if day else None,
        "signing_organ": fields.get("signing_organ") or None,
        "signer": fields.get("signer_name") or None,
        "contact_person": fields.get("contact_person") or None,
        "contact_phone": fields.get("contact_phone") or None,
        "cc": [name for name in fields.get("cc", "").splitlines() if name],
        "joint_units": parsed.joint_units,
        "missing": list(parsed.missing),
        "unrecognised": list(parsed.unrecognised),
    }


# ---- reading the uploaded files, within bounds ----------------------------------------------
TEXT_SUFFIXES = (".txt", ".md")
READABLE_SUFFIXES = (".docx", ".pdf", *TEXT_SUFFIXES)
# A reply letter's PDF is a few pages and well under a megabyte; a scan of one a few MB.
PDF_BYTES = 20 * 1024 * 1024
PDF_PAGES = 100
# What pypdf may inflate and parse for one file (its defaults allow 75 MB a stream): a letter
# page's content is a few hundred KB at most, so a page that inflates past these is refused.
PDF_LIMITS = {
    "maximum_declared_stream_length": 20_000_000,
    "zlib_maximum_output_length": 5_000_000,
    "lzw_maximum_output_length": 5_000_000,
    "run_length_maximum_output_length": 5_000_000,
    "brotli_maximum_output_length": 5_000_000,
    "jbig2_maximum_output_length": 5_000_000,
    "image_maximum_buffer_size": 5_000_000,
    "array_based_stream_maximum_output_length": 5_000_000,
    "stream_decoding_work_maximum_length": 20_000_000,
    "stream_parsing_work_maximum_count": 500_000,
}
LETTERS = Caps(total=50 * 1024 * 1024, member=20 * 1024 * 1024, members=500, seconds=30)
DOCX = Caps(total=50 * 1024 * 1024, member=20 * 1024 * 1024, members=1000, seconds=30)
# What one upload may hand the parser and keep in its preview (stored with the import and read
# on every view of its page): per letter and in all. A real reply letter is under 20,000
# characters. Past these the file is refused, saying why, and the others are still read, so
# the stored preview stays within a few MB whatever the upload holds.
LETTER_CHARS = 200_000
LETTER_LINES = 10_000
UPLOAD_LINES = 100_000
UPLOAD_CHARS = 1_000_000
# A text file's bytes, before decoding: no encoding takes more than 4 bytes a character.
TEXT_LIMIT = 4 * LETTER_CHARS


def files_of(name, content, budget=None):
    """(file name, text or None, refusal or "") for a .txt/.md, a .docx, a text-layer .pdf, or
    every such file in
    a .zip. Nothing is read past the caps: an archive in the zip, a member or a whole upload
    that decompresses past its cap, or reading that takes too long is a refusal naming it."""
    budget = budget or Budget(LETTERS.total, LETTERS.seconds, name)
    lower = name.lower()
    if lower.endswith(".zip"):
        try:
            found = list(_members(name, content, budget))
        except Refused as exc:  # the archive as a whole: nothing of it is previewed
            found = [(name, None, str(exc))]
        yield from found
        return
    yield from _one_file(name, content, budget)


def _members(name, content, budget):
    with open_zip(name, content, LETTERS, budget) as archive:
        for info in archive.members():
            member = info.filename.lower()
            if member.endswith(ARCHIVE_SUFFIXES):
                raise Refused(archive.nested(info.filename))
            if member.endswith(READABLE_SUFFIXES):
                data = archive.read(info, refuse_archives=not member.endswith(".docx"))
                yield from _one_file(info.filename, data, budget)


def _one_file(name, content, budget):
    lower = name.lower()
    try:
        if lower.endswith(".docx"):
            yield name, text_of_docx(content, name, budget), ""
        elif lower.endswith(".pdf"):
            yield name, text_of_pdf(content, name, budget), ""
        elif lower.endswith(TEXT_SUFFIXES):
            if len(content) > TEXT_LIMIT:
                raise Refused(too_long(name))
            text = decode(content)
            if len(text) > LETTER_CHARS:
                raise Refused(too_long(name))
            yield name, text, ""
    except Refused as exc:
        yield name, None, str(exc)


def too_long(name):
    return _("“%(name)s”超过%(n)d万字，不像是一份答复函（答复函通常不到2万字）。") % {
        "name": name,
        "n": LETTER_CHARS // 10_000,
    }


def decode(content):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Refused(_("无法识别文字编码（请用UTF-8或GB18030）。"))


def previews_of(uploads, budget):
    """[(file name, bytes)] → one preview per letter found (zips opened), each either
    {"name", "error"} or {"name", "text", "parsed"}, ready to be stored as JSON. Reading
    draws on `budget` (bytes decompressed over the whole upload, and time); parsing stops at
    `LETTER_LINES` a letter and `UPLOAD_LINES` / `UPLOAD_CHARS` in all."""
    previews = []
    lines = chars = 0
    for upload_name, content in uploads:
        budget.what = upload_name
        found = list(files_of(upload_name, content, budget))
        if not found:
            previews.append(
                {
                    "name": upload_name,
                    "error": _("只能导入 .txt、.md、.docx、.pdf 或包含它们的 .zip。"),
                }
            )
        for name, text, refusal in found:
            if text is not None:
                count = text.count("\n") + 1
                refusal = too_much(count, lines + count, chars + len(text))
                if not refusal:  # only what is kept counts against the upload
                    lines, chars = lines + count, chars + len(text)
            if text is None or refusal:
                previews.append({"name": name, "error": refusal})
            else:
                previews.append({"name": name, "text": text, "parsed": as_json(parse(text))})
            budget.check_time()
    return previews


def too_much(count, lines, chars):
    if count > LETTER_LINES:
        return _("超过%(n)d行，不像是一份答复函。") % {"n": LETTER_LINES}
    if lines > UPLOAD_LINES or chars > UPLOAD_CHARS:
        return _("本次上传的文字已超过%(n)d行或%(c)d万字，此文件未读取，请分批导入。") % {
            "n": UPLOAD_LINES,
            "c": UPLOAD_CHARS // 10_000,
        }
    return ""


# The stored preview keeps the letter's text once (saving parses it again); what was
# recognised is kept only as far as the page shows it, so a hostile text is not stored twice
# (as its body, or as one unrecognised "signing organ" line of 200,000 characters).
EXCERPT = 300
UNRECOGNISED_EXCERPT = 1000


def excerpt(value, cap=EXCERPT):
    return value[:cap] + "…" if isinstance(value, str) and len(value) > cap else value


def as_json(parsed):
    fields = {
        key: value.isoformat() if isinstance(value, date) else excerpt(value)
        for key, value in parsed.fields.items()
    }
    unrecognised, room = [], UNRECOGNISED_EXCERPT
    for line in parsed.unrecognised:
        if room <= 0:
            unrecognised.append("…")
            break
        unrecognised.append(excerpt(line, room))
        room -= len(line)
    return {
        "fields": fields,
        "proposers": [list(p) for p in parsed.proposers],
        "session_name": excerpt(parsed.session_name),
        "number": parsed.number,
        "kind": parsed.kind,
        "is_opinion": parsed.is_opinion,
        "missing": parsed.missing,
        "blocking": parsed.blocking,
        "unrecognised": unrecognised,
    }


def refusals(previews):
    """The refused files of a preview, one line each, naming the file."""
    return [
        p["error"] if p["name"] in p["error"] else f"{p['name']}：{p['error']}"
        for p in previews
        if p.get("error")
    ]
