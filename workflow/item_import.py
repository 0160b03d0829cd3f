"""Bulk intake from Excel (批量登记交办): the template, reading a workbook, and the dry run.

Reading and checking never write: `check` turns the sheet into one result per row (new,
already there, or the problems found, each naming its column) with a fixed number of queries
whatever the number of rows. Saving is the verb `import_items` (item_import_worker.py).
"""

import re
import zipfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from io import BytesIO

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from proposals.models import Proposal, Proposer, Session, kind_refusal
from proposals.untrusted import (
    Budget,
    Caps,
    Refused,
    checked_zip,
    control_character_problem,
    control_characters,
    open_zip,
)

from . import xlsx_reader
from .forms import split_names
from .models import Unit
from .proposer_contacts import (
    CHANNEL_WORDS,
    CONTACT_FIELDS,
    MAX_PROPOSERS,
    contact_problems,
    masked,
    too_many_proposers,
    typed_mobile,
)

MAX_BYTES = 10 * 1024 * 1024  # the file as uploaded (compressed)
MAX_ROWS = 20000
MAX_COLUMNS = 30
# The workbook as a zip, before openpyxl sees it: what it decompresses to, in all and per part.
WORKBOOK = Caps(total=50 * 1024 * 1024, member=50 * 1024 * 1024, members=200, seconds=30)

# (key, header, required, explanation)
COLUMNS = [
    ("kind", gettext_lazy("类型"), True, gettext_lazy("提案 或 建议")),
    (
        "session",
        gettext_lazy("届次会议"),
        True,
        gettext_lazy("与系统中的名称一致，如“市政协十四届二次会议”"),
    ),
    ("number", gettext_lazy("案号"), True, gettext_lazy("本届次会议内唯一，如 1136")),
    ("title", gettext_lazy("案由"), True, gettext_lazy("建议提案的标题")),
    ("proposers", gettext_lazy("提出人"), True, gettext_lazy("领衔人在前，用“、”或逗号分隔")),
    ("body", gettext_lazy("正文"), False, gettext_lazy("可留空")),
    ("topic", gettext_lazy("主题"), False, gettext_lazy("可留空，如“科技创新”")),
    ("is_key", gettext_lazy("重点"), False, gettext_lazy("是 或 否，留空为否")),
    ("lead", gettext_lazy("主办单位"), False, gettext_lazy("一个单位；有会办单位时必填")),
    ("co", gettext_lazy("会办单位"), False, gettext_lazy("可多个，用“、”分隔")),
    ("separate", gettext_lazy("分办单位"), False, gettext_lazy("可多个，用“、”分隔；不与主办同用")),
    ("assigned_on", gettext_lazy("交办日期"), False, gettext_lazy("如 2024-03-05；填写单位时必填")),
    # A proposer's contacts: one entry per proposer in the order of 提出人, separated by “；”
    # (an entry left empty between two “；” for a proposer without it). Optional columns.
    (
        "phones",
        gettext_lazy("提出人手机"),
        False,
        gettext_lazy("可留空；按提出人顺序用“；”分隔，如“13912345678；；13800138000”"),
    ),
    (
        "emails",
        gettext_lazy("提出人邮箱"),
        False,
        gettext_lazy("可留空；按提出人顺序用“；”分隔"),
    ),
    (
        "addresses",
        gettext_lazy("提出人地址"),
        False,
        gettext_lazy("可留空；按提出人顺序用“；”分隔（地址中请勿使用“；”）"),
    ),
    (
        "channels",
        gettext_lazy("首选送达方式"),
        False,
        gettext_lazy("可留空；邮件、短信或纸质，按提出人顺序用“；”分隔"),
    ),
]
# Contact column → the proposer's field it fills.
CONTACT_COLUMNS = {
    "phones": "phone",
    "emails": "email",
    "addresses": "address",
    "channels": "preferred_channel",
}
KINDS = {
    "提案": Proposal.Kind.PROPOSAL,
    "政协提案": Proposal.Kind.PROPOSAL,
    "建议": Proposal.Kind.SUGGESTION,
    "代表建议": Proposal.Kind.SUGGESTION,
    "人大代表建议": Proposal.Kind.SUGGESTION,
}
PROPOSER_KIND = {
    Proposal.Kind.PROPOSAL: Proposer.Kind.MEMBER,
    Proposal.Kind.SUGGESTION: Proposer.Kind.DEPUTY,
}
YES = {"是", "Y", "y", "yes", "Yes", "1", "√", "TRUE", "True", "true"}
NO = {"", "否", "N", "n", "no", "No", "0", "FALSE", "False", "false"}
LIMITS = {
    "number": Proposal._meta.get_field("number").max_length,
    "title": Proposal._meta.get_field("title").max_length,
    "topic": Proposal._meta.get_field("topic").max_length,
}
NAME_LIMIT = Proposer._meta.get_field("name").max_length


class WorkbookRefused(Exception):
    """The file as a whole cannot be read; the message says why and what to do."""


@dataclass
class RowResult:
    row: int  # as Excel numbers it
    status: str = "new"  # new / exists / error
    errors: list = field(default_factory=list)  # [(column header, problem)]
    notes: list = field(default_factory=list)  # [(column header, what to know)]: not errors
    values: dict = field(default_factory=dict)  # raw text per column key, for the report
    item: dict = field(default_factory=dict)  # what will be saved (ids, not objects)

    def refuse(self, key, problem):
        self.status = "error"
        self.errors.append((header_of(key), str(problem)))

    def note(self, key, what):
        self.notes.append((header_of(key), str(what)))


def header_of(key):
    return str(next(h for k, h, *_ in COLUMNS if k == key))


# ---- the template -------------------------------------------------------------------------
def template_workbook(example_session="市政协十四届二次会议", example_unit="上海市科学技术委员会"):
    book = Workbook()
    sheet = book.active
    sheet.title = _("建议提案")
    sheet.append([str(h) for _k, h, *_ in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(
        [
            "提案",
            example_session,
            "1136",
            "关于进一步扶持干细胞治疗产业发展的提案",
            "章毅、张远波、朱军红",
            "建议加大对干细胞临床研究的支持……",
            "生物医药",
            "否",
            example_unit,
            "",
            "",
            date.today().isoformat(),
            "13912345678；；13800138000",
            "zhangyi@example.org",
            "；上海市黄浦区人民大道200号",
            "短信；纸质；短信",
        ]
    )
    widths = [8, 24, 10, 40, 24, 40, 12, 6, 26, 30, 30, 12, 28, 28, 36, 18]
    for column, width in zip("ABCDEFGHIJKLMNOP", widths, strict=True):
        sheet.column_dimensions[column].width = width
    notes = book.create_sheet(_("填写说明"))
    notes.append([_("列"), _("必填"), _("说明")])
    for _k, header, required, explanation in COLUMNS:
        notes.append([str(header), _("是") if required else _("否"), str(explanation)])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


# ---- reading ------------------------------------------------------------------------------
def read_workbook(data, name=None):
    """The sheet's rows as (excel row number, {column key: text}); refuses what is no workbook.

    Before any XML parser sees it, the .xlsx (a zip) is decompressed once within `WORKBOOK`'s
    caps, counting what it actually yields (a small file holding a gigabyte of cell text is
    refused in the time it takes to decompress 50 MB), and any part declaring a DTD (an XXE or
    a billion-laughs sheet) is refused. The first sheet is then streamed row by row
    (`xlsx_reader`: lxml with entities unresolved, values as openpyxl's read-only mode gives
    them); rows and columns are counted as they stream and reading stops past the caps."""
    if len(data) > MAX_BYTES:
        raise WorkbookRefused(_("文件超过10MB，请拆分后分批导入。"))
    if not zipfile.is_zipfile(BytesIO(data)):
        raise WorkbookRefused(
            _("文件不是Excel工作簿（.xlsx）。请用模板填写，并以“Excel工作簿”格式保存。")
        )
    name = name or _("工作簿")
    budget = Budget(WORKBOOK.total, WORKBOOK.seconds, name)
    try:
        checked_zip(name, data, WORKBOOK, budget)
    except Refused as exc:
        raise WorkbookRefused(str(exc)) from exc
    budget.spent = 0  # the reading decompresses the same, checked bytes once more
    try:
        return _rows_of(data, name, budget)
    except WorkbookRefused:
        raise
    except Refused as exc:
        raise WorkbookRefused(str(exc)) from exc
    except MemoryError as exc:
        raise WorkbookRefused(_("工作簿过大，无法读取。请拆分后分批导入。")) from exc
    except Exception as exc:  # lxml and openpyxl raise many kinds on a malformed file
        raise WorkbookRefused(
            _("无法读取该Excel文件：%(e)s") % {"e": describe_refusal(exc)}
        ) from exc


def describe_refusal(exc):
    """What the office is told about a file the reader could not parse."""
    return f"{type(exc).__name__}: {str(exc)[:200]}"


def _rows_of(data, name, budget):
    with open_zip(name, data, WORKBOOK, budget) as archive:
        try:
            rows = xlsx_reader.first_sheet_rows(archive)
            header = next(rows, None)
        except KeyError as exc:
            raise WorkbookRefused(
                _("无法读取该Excel文件：缺少%(part)s。") % {"part": exc.args[0]}
            ) from exc
        if not header:
            raise WorkbookRefused(_("第一行应为列名，但工作表是空的。"))
        header = list(header)
        while header and header[-1] is None:
            header.pop()
        if len(header) > MAX_COLUMNS:
            raise WorkbookRefused(_("列名超过%(n)d列，请使用页面上的模板。") % {"n": MAX_COLUMNS})
        keys = columns_of(header)
        found = []
        for number, values in enumerate(rows, start=2):
            if number - 1 > MAX_ROWS:
                raise WorkbookRefused(_("超过%(n)d行，请拆分后分批导入。") % {"n": MAX_ROWS})
            if number % 1000 == 0:
                budget.check_time()
            texts = {key: cell_text(values[i]) for i, key in keys.items() if i < len(values)}
            if any(texts.values()):
                found.append((number, texts))
    if not found:
        raise WorkbookRefused(_("工作表中除列名外没有数据行。"))
    return found


def columns_of(header):
    by_header = {str(h): k for k, h, *_ in COLUMNS}
    keys = {}
    for index, value in enumerate(header):
        key = by_header.get(cell_text(value))
        if key:
            keys[index] = key
    missing = [str(h) for k, h, required, _e in COLUMNS if required and k not in keys.values()]
    if missing:
        raise WorkbookRefused(
            _("缺少必填列：%(cols)s。请使用页面上的模板。") % {"cols": "、".join(missing)}
        )
    return keys


def cell_text(value):
    """A cell as the text the office typed. Formulas stay text (never evaluated); dates keep
    their date; whole numbers lose Excel's “.0”; control characters are dropped."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    text = str(value)
    if not text.isprintable():  # the check is cheap; most cells have nothing to drop
        text = CONTROL.sub("", text)
    return text.strip()


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
DATE_PATTERNS = [
    r"(\d{4})-(\d{1,2})-(\d{1,2})",
    r"(\d{4})/(\d{1,2})/(\d{1,2})",
    r"(\d{4})\.(\d{1,2})\.(\d{1,2})",
    r"(\d{4})年(\d{1,2})月(\d{1,2})日",
]


def parse_date(text):
    for pattern in DATE_PATTERNS:
        match = re.fullmatch(pattern, text)
        if match:
            try:
                return date(*(int(g) for g in match.groups()))
            except ValueError:
                return None
    return None


# ---- the dry run --------------------------------------------------------------------------
def check(rows, jurisdiction, progress=None, chunk=500):
    """Every row's result, in three queries whatever the number of rows: the sessions, the
    units and the numbers already there. `progress(n)` hears every `chunk` rows."""
    sessions = {}
    for session in Session.objects.filter(jurisdiction=jurisdiction).select_related("jurisdiction"):
        sessions[str(session)] = session
        sessions[session.default_name()] = session
    units = {}
    for unit in Unit.objects.filter(jurisdiction=jurisdiction, is_active=True):
        units[unit.name] = unit
        if unit.short_name:
            units.setdefault(unit.short_name, unit)
    results = []
    for number, texts in rows:
        results.append(_check_row(number, texts, sessions, units))
        if progress and len(results) % chunk == 0:
            progress(len(results))

    seen = {}
    for result in results:
        key = (result.item.get("session_id"), result.values.get("number"))
        if None in key or not key[1]:
            continue
        if key in seen:
            result.refuse(
                "number", _("案号与第%(row)d行重复（同一届次会议）。") % {"row": seen[key]}
            )
        else:
            seen[key] = result.row
    existing = existing_numbers(seen)
    for result in results:
        key = (result.item.get("session_id"), result.values.get("number"))
        if result.status == "new" and key in existing:
            _check_existing(result, existing[key])
    match_proposers([r for r in results if r.status == "new"], jurisdiction)
    return results


# ---- proposers on record -------------------------------------------------------------------
def proposers_on_record(jurisdiction, keys, chunk=500):
    """(name, kind) → the jurisdiction's proposers of that name and kind, oldest first: what
    the check shows and what the save attaches to (a query per `chunk` names)."""
    names = sorted({name for name, _kind in keys})
    found = {}
    for start in range(0, len(names), chunk):
        rows = Proposer.objects.filter(
            jurisdiction=jurisdiction, name__in=names[start : start + chunk]
        ).order_by("pk")
        for person in rows:
            if (person.name, person.kind) in keys:
                found.setdefault((person.name, person.kind), []).append(person)
    return found


def match_proposers(results, jurisdiction):
    """Each row's proposers already on record, said before the office confirms: the record
    each will be attached to (name, id, masked mobile), and where the sheet's contacts differ
    from it (the save fills only blanks). A name with several records is refused: which one
    is meant is the office's choice, on the intake page or by merging them first."""
    keys = {(n, r.item["proposer_kind"]) for r in results for n in r.item["proposers"]}
    found = proposers_on_record(jurisdiction, keys) if keys else {}
    for result in results:
        item = result.item
        for name, typed in zip(item["proposers"], item["contacts"], strict=True):
            on_record = found.get((name, item["proposer_kind"]), [])
            if len(on_record) > 1:
                result.refuse(
                    "proposers",
                    _("“%(name)s”：同名提出人有多条记录，请在页面登记或先合并。") % {"name": name},
                )
            elif on_record:
                _note_match(result, on_record[0], typed)


def _note_match(result, person, typed):
    phone = person.mobile or person.phone
    result.note(
        "proposers",
        _("“%(name)s”将对应已登记的提出人 #%(pk)d（手机 %(phone)s）")
        % {"name": person.name, "pk": person.pk, "phone": masked(phone) if phone else "—"},
    )
    differing = [
        str(Proposer._meta.get_field(f).verbose_name)
        for f in CONTACT_FIELDS
        if typed.get(f) and getattr(person, f) and typed[f] != getattr(person, f)
    ]
    if differing:
        result.note(
            "proposers",
            _("“%(name)s”：表中联系方式与已登记记录不同，未覆盖（%(fields)s）")
            % {"name": person.name, "fields": "、".join(differing)},
        )


def same_title(one, other):
    """Two titles are the same when they differ only in spaces and line breaks."""
    return "".join(one.split()) == "".join(other.split())


def _check_existing(result, title_on_record):
    """A number already registered: the same item typed again is skipped; another title is
    a mistyped number, refused until the sheet is corrected (never dropped unsaid)."""
    if same_title(title_on_record, result.item["title"]):
        result.status = "exists"
        return
    result.refuse(
        "number",
        _("第%(number)s号已登记为《%(on_record)s》，表中标题为《%(typed)s》：请核对案号")
        % {
            "number": result.item["number"],
            "on_record": title_on_record,
            "typed": result.item["title"],
        },
    )


def existing_numbers(keys):
    """(session id, number) → the title registered under it, for those of `keys` taken."""
    by_session = {}
    for session_id, number in keys:
        by_session.setdefault(session_id, []).append(number)
    if not by_session:
        return {}
    condition = Q()
    for session_id, numbers in by_session.items():
        condition |= Q(session_id=session_id, number__in=numbers)
    rows = Proposal.objects.filter(condition).values_list("session_id", "number", "title")
    return {(session_id, number): title for session_id, number, title in rows}


def _check_row(number, texts, sessions, units):
    result = RowResult(number, values=texts)
    kind, session = _check_kind_and_session(result, texts, sessions)
    names, is_key = _check_texts(result, texts)
    contacts = _check_contacts(result, texts, names)
    lead, co, separate, assigned_on = _check_units(result, texts, units)
    if result.status == "error":
        return result
    result.item.update(
        kind=kind,
        session_id=session.pk,
        number=texts["number"],
        title=texts["title"],
        body=texts.get("body", ""),
        topic=texts.get("topic", ""),
        is_key=is_key in YES,
        proposers=names,
        proposer_kind=PROPOSER_KIND[kind],
        contacts=contacts,
        lead=lead,
        co=co,
        separate=separate,
        assigned_on=assigned_on.isoformat() if assigned_on else None,
    )
    return result


def _check_kind_and_session(result, texts, sessions):
    kind = KINDS.get(texts.get("kind", ""))
    if kind is None:
        result.refuse("kind", _("应填“提案”或“建议”。"))
    session = sessions.get(texts.get("session", ""))
    if session is None:
        result.refuse("session", _("未找到届次会议“%(s)s”。") % {"s": texts.get("session", "")})
    elif kind and (refusal := kind_refusal(kind, session, PROPOSER_KIND[kind])):
        result.refuse("session", refusal)
    return kind, session


def _check_texts(result, texts):
    """The number, title, topic, proposers and 重点 mark; returns (proposer names, is_key)."""
    for key in ("number", "title"):
        if not texts.get(key):
            result.refuse(key, _("必填。"))
        elif len(texts[key]) > LIMITS[key]:
            result.refuse(key, _("不能超过%(n)d个字。") % {"n": LIMITS[key]})
        elif control_characters(texts[key]):
            result.refuse(key, control_character_problem())
    if len(texts.get("topic", "")) > LIMITS["topic"]:
        result.refuse("topic", _("不能超过%(n)d个字。") % {"n": LIMITS["topic"]})
    names = split_names(texts.get("proposers", ""))
    _check_names(result, names)
    is_key = texts.get("is_key", "")
    if is_key not in YES | NO:
        result.refuse("is_key", _("应填“是”或“否”。"))
    return names, is_key


def _check_names(result, names):
    if not names:
        result.refuse("proposers", _("请填写提出人，第一位为领衔人。"))
    elif len(names) > MAX_PROPOSERS:
        result.refuse("proposers", too_many_proposers())
    elif any(len(name) > NAME_LIMIT for name in names):
        result.refuse("proposers", _("提出人姓名或名称不能超过%(n)d个字。") % {"n": NAME_LIMIT})
    elif any(control_characters(name) for name in names):
        result.refuse("proposers", control_character_problem())
    for name in sorted(n for n, times in Counter(names).items() if times > 1):
        result.refuse("proposers", _("“%(name)s”在本行出现了两次。") % {"name": name})


def _check_contacts(result, texts, names):
    """Each proposer's contacts from the four optional columns (entries in the order of the
    proposers, split at “；”): one dict per proposer, each checked as intake checks them."""
    contacts = [{} for _name in names]
    for key, target in CONTACT_COLUMNS.items():
        parts = [p.strip() for p in texts.get(key, "").replace(";", "；").split("；")]
        if not any(parts):
            continue
        if len(parts) > len(names):
            result.refuse(key, _("分隔的项数多于提出人人数（%(n)d位）。") % {"n": len(names)})
            continue
        for typed, part in zip(contacts, parts, strict=False):
            if part and target == "preferred_channel" and part.lower() not in CHANNEL_WORDS:
                result.refuse(key, _("“%(w)s”：应填邮件、短信或纸质。") % {"w": part})
            elif part and target == "preferred_channel":
                typed[target] = CHANNEL_WORDS[part.lower()]
            elif part:
                typed[target] = part
    for name, typed in zip(names, contacts, strict=True):
        for wrong, problem in contact_problems(**typed).items():
            column = next(k for k, f in CONTACT_COLUMNS.items() if f == wrong)
            result.refuse(column, f"{name}：{problem}")
        if typed.get("phone"):
            typed["phone"] = typed_mobile(typed["phone"]) or typed["phone"]
    return contacts


def _check_units(result, texts, units):
    """The units and the day of 交办; returns (lead, co, separate, assigned_on)."""
    lead, co, separate = _units(result, texts, units)
    # Judge the choice by what was written, so an unknown unit is one error, not three.
    written = {key: bool(texts.get(key)) for key in ("lead", "co", "separate")}
    assigned_on = None
    if texts.get("assigned_on"):
        assigned_on = parse_date(texts["assigned_on"])
        if assigned_on is None:
            result.refuse("assigned_on", _("日期无法识别，请写成 2024-03-05。"))
        elif not any(written.values()):
            result.refuse("lead", _("填写了交办日期，但没有承办单位。"))
    elif any(written.values()):
        result.refuse("assigned_on", _("填写了承办单位时必须填写交办日期。"))
    if written["co"] and not written["lead"]:
        result.refuse("lead", _("有会办单位时必须填写主办单位。"))
    if written["lead"] and written["separate"]:
        result.refuse("separate", _("主办/会办与分办不能同时使用。"))
    chosen = ([lead] if lead else []) + co + separate
    if len(set(chosen)) != len(chosen):
        result.refuse("co", _("同一单位不能重复交办。"))
    return lead, co, separate, assigned_on


def _units(result, texts, units):
    def find(key, many):
        names = split_names(texts.get(key, "")) if many else [texts.get(key, "")]
        found = []
        for name in filter(None, names):
            if name in units:
                found.append(units[name].pk)
            else:
                result.refuse(key, _("“%(u)s”不是本行政区的承办单位。") % {"u": name})
        return found

    lead = find("lead", many=False)
    return (lead[0] if lead else None), find("co", many=True), find("separate", many=True)


def summary(results):
    counts = {"new": 0, "exists": 0, "error": 0}
    for result in results:
        counts[result.status] += 1
    return counts


def as_report(results):
    """The dry run as stored on the import (JSON): the rows, their problems and what to save."""
    return [asdict(r) for r in results]


def report_workbook(report):
    """The dry run's problems as a sheet the office can fix the file from."""
    from .exports import xlsx

    rows = (
        [r["row"], column, problem, r["values"].get("number", ""), r["values"].get("title", "")]
        for r in report
        for column, problem in r["errors"]
    )
    headers = [_("行"), _("列"), _("问题"), _("案号"), _("案由")]
    return xlsx(headers, rows, _("导入检查结果"))
