"""Reading past reply letters (plain text or DOCX) into structured letters.

`parse(text)` returns what it recognised, element by element, and what it could not; the
office sees both before anything is saved. It handles the variations real letters have:
full-width or ASCII punctuation, Arabic or Chinese-numeral dates (二〇一七年三月五日), the class
as "A", "(B类)", "类别：B" or "办理结果：解决采纳", contact blocks in several shapes, a missing
signing organ before the date, and 抄报 beside 抄送.
"""

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date

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
REFERENCE = re.compile(
    r"(?P<session>.+?(?:会议|届))第(?P<number>\d+)号(?P<kind>代表建议|建议|提案)"
)
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
    line = re.sub(r"^#+\s*", "", line.strip()).replace("**", "")
    line = re.sub(
        r"(?<=[\u4e00-\u9fa5\d〔〕（）()：:，])\s+|\s+(?=[\u4e00-\u9fa5\d〔〕（）()：:，])",
        "",
        line,
    )
    return line.replace(":", "：") if not re.search(r"\d:\d", line) else line


def text_of_docx(content):
    from docx import Document

    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def lines_of(text):
    return [
        line for line in (normalise(raw) for raw in text.splitlines()) if line and line != "---"
    ]


def parse(text):
    """Recognise a letter's elements; what stays unrecognised is reported, never guessed."""
    lines = lines_of(text)
    result = Parsed()
    fields = result.fields
    i = 0
    head = []
    # The head: class and disclosure lines, organ mark, number, 签发人, up to the title.
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
        elif REFERENCE.search(line) or line.endswith(("的答复", "答复意见", "的函", "的复函")):
            break
        else:
            head.append(line)
        i += 1
    if head:
        fields["signing_organ"] = head[0]
        result.unrecognised += head[1:]
    if i < len(lines):
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
        fields["title"] = title
        reference = REFERENCE.search(title)
        if reference:
            result.session_name = reference["session"].split("对", 1)[-1].split("关于", 1)[-1]
            result.number, result.kind = reference["number"], reference["kind"]
        result.is_opinion = "会办意见" in title
        i += 1
    if i < len(lines) and ADDRESSEE.match(lines[i]):
        fields["addressee"] = ADDRESSEE.match(lines[i])["who"]
        result.proposers = addressees(fields["addressee"])
        i += 1
    body, tail = [], lines[i:]
    # The body runs until the signing organ + date, or the notes when there is no signature.
    j = 0
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
    notes(tail[j:], result)
    for name in ("title", "addressee", "signing_organ", "body"):
        if not fields.get(name):
            result.missing.append(name)
    if not (fields.get("letter_date") or fields.get("issued_on")):
        result.missing.append("letter_date")
    if not result.number:
        result.missing.append("number")
    return result


def join_broken(paragraphs):
    """Page breaks split paragraphs mid-sentence in extracted text: a long line that does not
    end a sentence continues on the next."""
    out = []
    for line in paragraphs:
        if out and len(out[-1]) > 20 and not re.search(r"[。：；！？）”」:]$", out[-1]):
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


def notes(lines, result):
    fields = result.fields
    for index, line in enumerate(lines):
        bare = line.strip("()（）")
        day, issued = read_date(line)
        if bare in DISCLOSURES:
            fields.setdefault("disclosure", DISCLOSURES[bare])
        elif bare.startswith("联系处室："):
            office, _sep, phone = bare.partition("，联系电话：")
            fields["contact_office"], fields["contact_phone"] = office.split("：", 1)[1], phone
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


def files_of(name, content):
    """(file name, text) for a .txt/.md, a .docx, or every such file in a .zip."""
    if name.lower().endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for member in archive.namelist():
                if not member.endswith("/"):
                    yield from files_of(member, archive.read(member))
        return
    if name.lower().endswith(".docx"):
        yield name, text_of_docx(content)
    elif name.lower().endswith((".txt", ".md")):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                yield name, content.decode(encoding)
                return
            except UnicodeDecodeError:
                continue
        yield name, None
