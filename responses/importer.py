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

CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip

DOC_NUMBER = re.compile(
    r"^(?P<code>[\u4e00-\u9fa5]{1,10})[〔\[［【(（](?P<year>\d{4})[〕\]］】)）](?P<n>\d+)号$"
)
DATE = re.compile(r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日(?P<issued>印发)?$")
CN_DATE = re.compile(r"^(?P<y>[〇零○Ｏ一二三四五六七八九]{4})年(?P<m>[一二三四五六七八九十]{1,3})月"
                     r"(?P<d>[一二三四五六七八九十]{1,3})日(?P<issued>印发)?$")  # fmt: skip
CLASS_MARKS = [
    re.compile(r"^[(（](?P<c>[A-D])类[)）]$"),
    re.compile(r"^(?P<c>[A-D])类?$"),
    re.compile(r"^类别[:：](?P<c>[A-D])类?$"),
    re.compile(r"^办理结果[:：](?P<c>解决采纳|正在解决|计划解决|留作参考|[A-D]类?)$"),
]
DISCLOSURES = {
    "主动公开·全文": "full", "主动公开全文": "full", "主动公开·摘要": "summary",
    "依申请公开": "on_request", "不予公开": "withheld", "公开": "full", "此件公开发布": "full",
    "此件主动公开": "full", "不公开": "withheld",
}  # fmt: skip
# The session is everything before “…会议第N号…” / “…届第N号…”: the anchor is searched, and the
# session is the text before it, so no unbounded repetition scans ahead from every position
# (the former `.+?(?:会议|届)第…` was quadratic on a long line).
REFERENCE = re.compile(r"(?P<end>会议|届)第(?P<number>\d{1,9})号(?P<kind>代表建议|建议|提案)")
ADDRESSEE = re.compile(r"^(?P<who>[^：。，,]{1,60})[：:]$")


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


def read_date(line):
    found = DATE.match(line)
    if found:
        return date(int(found["y"]), int(found["m"]), int(found["d"])), bool(found["issued"])
    found = CN_DATE.match(line)
    if found:
        day = date(
            chinese_to_int(found["y"]), chinese_to_int(found["m"]), chinese_to_int(found["d"])
        )
        return day, bool(found["issued"])
    return None, False


def normalise(line):
    """One line, markdown marks and inner spaces gone, ASCII colons made full-width."""
    line = HEADING.sub("", line.strip()).replace("**", "")
    line = SPACES.sub(lambda run: _space(line, run), line)
    return line.replace(":", "：") if not CLOCK.search(line) else line


HEADING = re.compile(r"^#+\s*")
SPACES = re.compile(r"\s+")  # each run is matched once, from its start: linear
CLOCK = re.compile(r"\d:\d")
TIGHT = re.compile(r"[\u4e00-\u9fa5\d〔〕（）()：:，]")


def _space(line, run):
    """A run of spaces beside a Chinese character, digit or bracket goes; others stay."""
    before = line[run.start() - 1] if run.start() else ""
    after = line[run.end()] if run.end() < len(line) else ""
    return "" if TIGHT.match(before) or TIGHT.match(after) else run.group()


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


def lines_of(text):
    return [
        line for line in (normalise(raw) for raw in text.splitlines()) if line and line != "---"
    ]


def parse(text):
    """Recognise a letter's elements; what stays unrecognised is reported, never guessed."""
    lines = lines_of(text)
    result = Parsed()
    i = _read_head(lines, result)
    i = _read_title(lines, i, result)
    if i < len(lines) and ADDRESSEE.match(lines[i]):
        result.fields["addressee"] = ADDRESSEE.match(lines[i])["who"]
        result.proposers = addressees(result.fields["addressee"])
        i += 1
    tail = lines[i:]
    j = _read_body(tail, result.fields)
    notes(tail[j:], result)
    _note_missing(result)
    return result


def _read_head(lines, result):
    """The head: class and disclosure lines, organ mark, number, 签发人, up to the title.
    Returns the index of the title's line."""
    fields, head, i = result.fields, [], 0
    while i < len(lines):
        line = lines[i]
        bare = line.strip("()（）")
        mark = next((m.match(line) for m in CLASS_MARKS if m.match(line)), None)
        number = DOC_NUMBER.match(line)
        if line.startswith("公开属性："):
            fields["disclosure"] = DISCLOSURES.get(line.split("：", 1)[1], "full")
        elif mark:
            fields["class_label"] = mark["c"].rstrip("类")
        elif bare in DISCLOSURES:
            fields["disclosure"] = DISCLOSURES[bare]
        elif number:
            fields["doc_number"] = line
        elif line.startswith("签发人："):
            fields["signer_name"], fields["show_signer"] = line.split("：", 1)[1], True
        elif reference_in(line) or line.endswith(("的答复", "答复意见", "的函", "的复函")):
            break
        else:
            head.append(line)
        i += 1
    if head:
        fields["signing_organ"] = head[0]
        result.unrecognised += head[1:]
    return i


def _read_title(lines, i, result):
    """The title from line `i`, and the item it answers; returns the next line's index."""
    if i >= len(lines):
        return i
    title = lines[i]
    # A title split over two lines continues until the addressee.
    while i + 1 < len(lines) and not ADDRESSEE.match(lines[i + 1]) and len(title) < 80:
        if lines[i + 1].endswith(("答复", "答复意见", "的函", "复函")) or not title.endswith(
            ("答复", "的函")
        ):
            title += lines[i + 1]
            i += 1
        else:
            break
    result.fields["title"] = title
    reference = reference_in(title)
    if reference:
        result.session_name = reference["session"].split("对", 1)[-1].split("关于", 1)[-1]
        result.number, result.kind = reference["number"], reference["kind"]
    result.is_opinion = "会办意见" in title
    return i + 1


def _read_body(tail, fields):
    """The body runs until the signing organ + date, or the notes when there is no signature.
    Returns the index in `tail` where the notes start."""
    body, j = [], 0
    while j < len(tail):
        line = tail[j]
        day, issued = read_date(line)
        nxt = read_date(tail[j + 1])[0] if j + 1 < len(tail) else None
        if nxt and not read_date(tail[j + 1])[1] and not line.endswith("。"):
            fields.setdefault("signing_organ", line)
            fields["letter_date"] = nxt
            j += 2
            break
        if day and not issued:
            fields["letter_date"] = day
            j += 1
            break
        if is_note(line) or line.startswith(("抄送", "抄报")):
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


def addressees(text):
    """章毅、张远波、朱军红等委员 → three members; 文彬代表 → a deputy; a unit → nobody."""
    for suffix, kind in (("委员", "member"), ("代表", "deputy")):
        if text.endswith(suffix):
            names = text[: -len(suffix)].rstrip("等")
            return [(name, kind) for name in re.split(r"[、，,]", names) if name]
    return []


def is_note(line):
    return bool(re.match(r"^[(（]?(联系|此件)", line)) or line.startswith(("联系", "邮政编码"))


def note_parts(line):
    """Banli's own 附注, "（联系处室：X；联系人：Y；联系电话：Z）", read as one line a part."""
    bare = line.strip().strip("()（）")
    if bare.startswith("联系") and "；" in bare:
        return [part for part in bare.split("；") if part]
    return [line]


def notes(lines, result):
    fields = result.fields
    lines = [part for line in lines for part in note_parts(line)]
    for index, line in enumerate(lines):
        bare = line.strip("()（）")
        day, issued = read_date(line)
        if bare in DISCLOSURES:
            fields.setdefault("disclosure", DISCLOSURES[bare])
        elif bare.startswith("联系处室："):
            office, _sep, phone = bare.partition("，联系电话：")
            fields["contact_office"] = office.split("：", 1)[1]
            if phone:
                fields["contact_phone"] = phone
        elif bare.startswith(("联系人及电话：", "联系单位及电话：")):
            who, _sep, phone = bare.split("：", 1)[1].replace(",", "，").rpartition("，")
            key = "contact_person" if bare.startswith("联系人") else "contact_office"
            fields[key], fields["contact_phone"] = (who, phone) if who else (phone, "")
        elif bare.startswith(("联系人姓名：", "联系人：")):
            fields["contact_person"] = bare.split("：", 1)[1]
        elif bare.startswith("联系电话："):
            fields["contact_phone"] = bare.split("：", 1)[1]
        elif bare.startswith("联系地址："):
            fields["contact_address"] = bare.split("：", 1)[1]
        elif bare.startswith("邮政编码："):
            fields["contact_postcode"] = bare.split("：", 1)[1]
        elif line.startswith(("抄送：", "抄报：")):
            names = re.split(r"[，,、]", line.split("：", 1)[1].rstrip("。."))
            previous = fields.get("cc", "")
            fields["cc"] = "\n".join(filter(None, [previous, *names]))
        elif issued:
            fields["issued_on"] = day
        elif (
            line.endswith("印发")
            and read_date(line.split(" ")[-1].removesuffix("印发") + "印发")[0]
        ):
            fields["issued_on"] = read_date(line)[0]
        elif index + 1 < len(lines) and read_date(lines[index + 1])[1]:
            fields["issued_by"] = line
        else:
            result.unrecognised.append(line)


# ---- reading the uploaded files, within bounds ----------------------------------------------
TEXT_SUFFIXES = (".txt", ".md")
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
    """(file name, text or None, refusal or "") for a .txt/.md, a .docx, or every such file in
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
            if member.endswith((".docx", *TEXT_SUFFIXES)):
                data = archive.read(info, refuse_archives=not member.endswith(".docx"))
                yield from _one_file(info.filename, data, budget)


def _one_file(name, content, budget):
    lower = name.lower()
    try:
        if lower.endswith(".docx"):
            yield name, text_of_docx(content, name, budget), ""
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
                {"name": upload_name, "error": _("只能导入 .txt、.md、.docx 或包含它们的 .zip。")}
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


def shown(previews):
    """The stored previews as the page shows them: each element under its name (标题, 主送 …),
    the gaps named the same way, and which gaps stop the letter from being saved."""
    from .models import Reply

    out = []
    for preview in previews:
        if preview.get("error"):
            out.append({"name": preview["name"], "error": preview["error"]})
            continue
        parsed = preview["parsed"]
        rows = []
        for key, value in parsed["fields"].items():
            if key == "body":
                continue
            try:
                choices = dict(Reply._meta.get_field(key).choices or ())
            except Exception:
                choices = {}
            if isinstance(value, bool):
                value = _("是") if value else _("否")
            rows.append((label(key), choices.get(value, value)))
        blocking = parsed.get("blocking", [])
        out.append(
            {
                "name": preview["name"],
                "rows": rows,
                "body": parsed["fields"].get("body", ""),
                "session_name": parsed["session_name"],
                "number": parsed["number"],
                "kind": parsed["kind"],
                "proposers": parsed["proposers"],
                "missing": [label(k) for k in parsed["missing"] if k not in blocking],
                "blocking": [label(k) for k in blocking],
                "unrecognised": parsed["unrecognised"],
            }
        )
    return out
