"""Finding the promises in a reply's text (承诺事项的候选): sentences that say what the unit will
do ("下一步将…", "计划于2026年底前…", "争取…", "年内完成") and, where they say it, by when.

The clerk confirms, edits or rejects each candidate; a promise with no date is a candidate too,
and the pre-flight check flags it (vague_promises) so the clerk gives it one or words it as
something other than a promise.

Linear in the text: the body is cut into sentences once, each sentence (capped in length) is
matched by patterns without nested repetition, and at most MAX_CANDIDATES are kept (those
whose sentence is in `skip`, already commitments of the reply, do not count).
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date

MAX_CANDIDATES = 20
MAX_SENTENCE = 300
# Shorter is a heading ("二、下一步工作"), not a promise.
MIN_SENTENCE = 10

# Words that make a sentence a promise of future work.
PROMISE = re.compile(
    r"我(?:们|厅|局|委|办|部|处|院|会|市|区|县|省)?将|下一步|将于|拟于|计划于|计划在|预计|争取|力争|年内|年底前|年前|之前完成|前完成|将继续|将进一步"
    r"|将加快|将推动|将抓紧|将研究|将组织|将会同|将开展|将启动|将出台|将制定|将完成"
)
SENTENCE_END = re.compile(r"[。；;！？!?\n]")
# A top-level heading ("三、下一步工作目标") and a numbered point under it ("（一）加强…").
TOP_HEADING = re.compile(r"^[一二三四五六七八九十]{1,3}[、.．]")
SUB_HEADING = re.compile(r"^(?:[（(][一二三四五六七八九十\d]{1,3}[)）]|\d{1,2}[.．、])")
HEADING_ALONE = 12  # characters: longer after its number, the line says something itself
NEXT_STEPS = re.compile(r"下一步|下步|今后|工作目标|工作打算|工作计划|工作安排|努力方向")
# A numbered heading at the start of a sentence ("一、", "（二）", "3.") is not part of it.
LEADING_NUMBER = re.compile(r"^\s*(?:[（(]?[一二三四五六七八九十\d]{1,3}[)）、.．]\s*)+")

YEAR = r"(?P<year>20\d\d|今|明|后)年"
PATTERNS = (
    # 2027年6月30日前 / 6月30日前 (this year)
    (re.compile(rf"(?:{YEAR})?(?P<month>1[0-2]|0?[1-9])月(?P<day>[12]\d|3[01]|0?[1-9])日"), "date"),
    # 2027年6月底 / 6月份 / 6月前
    (re.compile(rf"(?:{YEAR})?(?P<month>1[0-2]|0?[1-9])月(?:底|末|份|前|内)"), "month"),
    # 2027年第三季度 / 三季度末
    (re.compile(rf"(?:{YEAR})?第?(?P<quarter>[一二三四1-4])季度"), "quarter"),
    # 2027年上半年 / 下半年
    (re.compile(rf"(?:{YEAR})?(?P<half>上|下)半年"), "half"),
    # 2026年底 / 2026年内 / 今年底 / 年内 / 年底前 / 明年
    (re.compile(rf"{YEAR}(?:底|末|内|前)?|(?P<bare>年)(?:底|末|内)"), "year"),
)
QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
RELATIVE_YEARS = {"今": 0, "明": 1, "后": 2}


@dataclass
class Candidate:
    what: str  # the promise, as the sentence says it
    source_text: str  # the sentence it was found in
    due_kind: str = ""  # "date", "quarter" or "year"; "" for a promise with no date
    promised_on: date | None = None

    @property
    def vague(self):
        return self.promised_on is None


def sentences(text):
    start = 0
    for match in SENTENCE_END.finditer(text):
        yield text[start : match.start()]
        start = match.end()
    yield text[start:]


def candidates(body, written_on, skip=frozenset()):
    """The promises in `body`, in order, dated against `written_on` (the reply's date:
    "年内" is that year): sentences that promise, and under a heading of next steps
    ("三、下一步工作目标") each numbered point, by its first sentence, dated by its paragraph.
    A promise whose source sentence is in `skip` (a set) is passed over and not counted."""
    found = []
    for paragraph, next_steps in paragraphs(body or ""):
        for what, source, context in _promises_of(paragraph, next_steps):
            if source in skip:
                continue
            kind, promised_on = when(context, written_on)
            found.append(Candidate(what, source, kind, promised_on))
            if len(found) >= MAX_CANDIDATES:
                return found
    return found


def paragraphs(text):
    """Each line of the text, and whether it stands under a heading of next steps (until the
    next top-level heading)."""
    next_steps = False
    for line in text.splitlines():
        line = line.strip()
        heading = TOP_HEADING.match(line)
        if heading:
            next_steps = bool(NEXT_STEPS.search(line[: heading.end() + 20]))
            if len(line.rstrip("。：:")) - heading.end() <= HEADING_ALONE:
                continue
        yield line, next_steps


def _promises_of(paragraph, next_steps):
    if next_steps and SUB_HEADING.match(paragraph):
        first = next(sentences(paragraph), "")
        what = LEADING_NUMBER.sub("", first)[:MAX_SENTENCE]
        if len(what) >= MIN_SENTENCE // 2:
            yield what, first[:MAX_SENTENCE], paragraph[: MAX_SENTENCE * 3]
        return
    for raw in sentences(paragraph):
        sentence = LEADING_NUMBER.sub("", raw.strip())[:MAX_SENTENCE]
        if len(sentence) >= MIN_SENTENCE and PROMISE.search(sentence):
            yield sentence, raw.strip()[:MAX_SENTENCE], sentence


def _year(match, written_on):
    year = match.groupdict().get("year")
    if year is None or match.groupdict().get("bare"):
        return written_on.year
    if year in RELATIVE_YEARS:
        return written_on.year + RELATIVE_YEARS[year]
    return int(year)


def when(sentence, written_on):
    """The first date the sentence promises: (due kind, a day of it), or ("", None). Dates
    before the reply ("2025年以来") tell what was done, not what is promised."""
    for pattern, shape in PATTERNS:
        for match in pattern.finditer(sentence):
            dated = _dated(match, shape, _year(match, written_on))
            if dated is not None and dated[1] >= written_on.replace(day=1):
                return dated
    return "", None


def _dated(match, shape, year):
    try:
        if shape == "date":
            return "date", date(year, int(match["month"]), int(match["day"]))
        if shape == "month":
            month = int(match["month"])
            return "date", _month_end(year, month)
        if shape == "quarter":
            return "quarter", date(year, QUARTERS[match["quarter"]] * 3, 1)
        if shape == "half":
            return (
                ("date", date(year, 6, 30))
                if match["half"] == "上"
                else ("year", date(year, 12, 1))
            )
        return "year", date(year, 12, 1)
    except ValueError:  # 2月30日 and the like: not a date, so no date
        return None


def _month_end(year, month):
    return date(year, month, calendar.monthrange(year, month)[1])


def vague_promises(body, written_on):
    """Promises with no date: the pre-flight check asks the clerk to date them or drop them."""
    return [c for c in candidates(body, written_on) if c.vague]
