"""The letter import against hostile files: every upload is read in the worker, within caps,
and ends in a preview or a refusal that says why; the patterns run on letter text are linear.

Each attack here took the web workers down on the former main (a 1.9 KB zip of ten one-line
texts ran 30 s; a nested zip or a zip bomb was read whole into memory)."""

import io
import re
import signal
import struct
import zipfile
from contextlib import contextmanager
from datetime import timedelta
from re import _parser as sre_parse

import pytest
from django.utils import timezone

from proposals import untrusted
from responses import importer
from responses.models import LetterImport, LetterImportState
from tests import factories
from workflow import background, item_import

pytestmark = pytest.mark.django_db

LETTER = (
    "上海市科学技术委员会\n沪科提复〔2024〕24号\n"
    "关于市政协十四届二次会议第1136号提案的答复\n章毅委员：\n您好。\n"
    "上海市科学技术委员会\n2024年5月27日\n"
)


@contextmanager
def guard(seconds=60):
    """A generous guard only (no timing is asserted): a quadratic pattern would hang."""

    def stop(*_args):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def zipped(members, compression=zipfile.ZIP_DEFLATED):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return out.getvalue()


@pytest.fixture
def office_client(client, shanghai, office):
    client.force_login(office)
    return client


def record_of(page):
    record = page.context["record"]
    record.refresh_from_db()
    return record


# ---- the patterns --------------------------------------------------------------------------
def unbounded(node):
    op, av = node
    return op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT) and av[1] == sre_parse.MAXREPEAT


def repeats_inside(items):
    for op, av in items:
        if op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, sre_parse.POSSESSIVE_REPEAT):
            yield (op, av)
            yield from repeats_inside(av[2])
        elif op == sre_parse.SUBPATTERN:
            yield from repeats_inside(av[-1])
        elif op == sre_parse.BRANCH:
            for branch in av[1]:
                yield from repeats_inside(branch)


def nested_unbounded(items):
    """An unbounded repetition that contains another repetition: backtracking blows up."""
    for op, av in repeats_inside(items):
        if unbounded((op, av)) and any(True for _ in repeats_inside(av[2])):
            return True
    return False


def scans_ahead(items):
    """The pattern (unanchored) begins with an unbounded repetition that more must follow: a
    search tries it from every start position, each scanning ahead: quadratic."""
    if not items:
        return False
    op, av = items[0]
    if op == sre_parse.SUBPATTERN:
        return scans_ahead(list(av[-1]) + items[1:])
    if op == sre_parse.BRANCH:
        return any(scans_ahead(list(branch) + items[1:]) for branch in av[1])
    return unbounded(items[0]) and len(items) > 1


def patterns_run_on_user_text():
    found = []
    for module in (importer, item_import):
        for value in vars(module).values():
            if isinstance(value, re.Pattern):
                found.append(value)
            elif isinstance(value, list):
                found += [v for v in value if isinstance(v, re.Pattern)]
    found += [re.compile(p) for p in item_import.DATE_PATTERNS]
    return found


@pytest.mark.parametrize(
    "pattern",
    [
        r"(?P<session>.+?(?:会议|届))第(?P<number>\d+)号",  # the former REFERENCE
        r"(?<=[\u4e00-\u9fa5])\s+|\s+(?=[\u4e00-\u9fa5])",  # the former space rule
        r"(a+)+b",
    ],
)
def test_the_check_catches_the_former_patterns(pattern):
    items = list(sre_parse.parse(pattern))
    assert nested_unbounded(items) or scans_ahead(items)


def test_no_pattern_on_letter_text_nests_or_scans_ahead_from_every_position():
    patterns = patterns_run_on_user_text()
    assert len(patterns) >= 10
    for pattern in patterns:
        items = list(sre_parse.parse(pattern.pattern))
        assert not nested_unbounded(items), pattern.pattern
        assert not scans_ahead(items), pattern.pattern


@pytest.mark.parametrize("filler", ["会议", "届第", "某", " 某", "第1", "  "])
def test_a_200k_character_line_is_read_and_its_reference_still_found(filler):
    line = filler * (100_000 // len(filler) * 2)
    text = f"{LETTER}{line}\n".replace(
        "关于市政协", line[:40_000] + "关于市政协"
    )  # a long title line too
    with guard():
        parsed = importer.parse(text)
        assert importer.reference_in(line[:40_000] + "会议第3号提案")["number"] == "3"
    assert parsed.number == "1136" and parsed.kind == "提案"


def test_the_reference_reads_as_before():
    found = importer.reference_in("关于市政协十四届二次会议第1136号提案的答复")
    assert found == {"session": "关于市政协十四届二次会议", "number": "1136", "kind": "提案"}
    assert importer.reference_in("十四届第5号代表建议")["kind"] == "代表建议"
    assert importer.reference_in("会议第5号提案") is None  # no session before it
    assert (
        importer.normalise("市政协 十四届 二次会议：  答复  a  b")
        == "市政协十四届二次会议：答复a  b"
    )


# ---- the uploads ----------------------------------------------------------------------------
def test_ten_quarter_megabyte_one_line_texts_are_read_in_the_worker(office_client, import_letters):
    # 90,000 characters a line (the quadratic pattern took 7.9 s at 40,000), ten of them: just
    # within the upload's character cap, so each is parsed.
    bomb = zipped([(f"{i}.txt", ("会议" * 45_000 + "\n").encode()) for i in range(10)])
    assert len(bomb) < 20_000
    with guard():
        page = import_letters(office_client, [("letters.zip", bomb)])
    record = record_of(page)
    assert record.state == LetterImportState.READY
    assert [p["name"] for p in record.previews] == [f"{i}.txt" for i in range(10)]
    assert all("number" in p["parsed"]["blocking"] for p in record.previews)
    html = page.content.decode()
    assert "案号" in html and "保存已确认的函件" in html  # each to be completed by hand
    assert record.stored == []  # the upload is not kept once read


def test_the_upload_request_only_stores_and_redirects(office_client, shanghai):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("a.zip", zipped([("a.txt", LETTER.encode())]))
    response = office_client.post("/office/import/", {"files": [upload]})
    record = LetterImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/office/import/{record.pk}/"
    assert record.state == LetterImportState.QUEUED  # no worker ran: nothing was parsed
    page = office_client.get(f"/office/import/{record.pk}/").content.decode()
    assert "排队中" in page and "保存已确认的函件" not in page
    assert f'hx-get="/office/import/{record.pk}/"' in page  # polled, with a real link
    assert f'href="/office/import/{record.pk}/"' in page
    partial = office_client.get(f"/office/import/{record.pk}/", HTTP_HX_REQUEST="true")
    assert partial.content.decode().lstrip().startswith('<div id="import-status"')


def test_a_zip_inside_the_zip_is_refused_by_name(office_client, import_letters):
    inner = zipped([("deep.txt", LETTER.encode())])
    outer = zipped([("a.txt", LETTER.encode()), ("more/inner.zip", inner)])
    page = import_letters(office_client, [("letters.zip", outer)])
    record = record_of(page)
    assert record.state == LetterImportState.FAILED  # nothing of it was read
    assert "more/inner.zip" in record.message and "压缩包套压缩包" in record.message
    assert "more/inner.zip" in page.content.decode()


def test_a_zip_disguised_as_a_text_inside_the_zip_is_refused(office_client, import_letters):
    inner = zipped([("deep.txt", LETTER.encode())])
    page = import_letters(office_client, [("letters.zip", zipped([("a.txt", inner)]))])
    record = record_of(page)
    assert record.state == LetterImportState.FAILED
    assert "a.txt" in record.message and "压缩包" in record.message


def test_a_zip_bomb_is_refused_from_its_declared_size(office_client, import_letters):
    size = importer.LETTERS.total + 1024
    bomb = zipped([(f"{i}.txt", b"0" * (size // 3)) for i in range(3)])
    assert len(bomb) < size // 500
    page = import_letters(office_client, [("bomb.zip", bomb)])
    record = record_of(page)
    assert record.state == LetterImportState.FAILED
    assert "bomb.zip" in record.message and "解压后超过" in record.message


def lying(archive, member, declared):
    """The archive with `member`'s uncompressed size rewritten to `declared` in both headers."""
    data = bytearray(archive)
    info = zipfile.ZipFile(io.BytesIO(archive)).getinfo(member)
    struct.pack_into("<I", data, info.header_offset + 22, declared)  # local header
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, declared)  # central directory
    return bytes(data)


def test_a_header_that_understates_the_size_is_caught_while_decompressing():
    honest = zipped([("a.txt", b"0" * 3_000_000)])
    caps = untrusted.Caps(total=1_000_000, member=1_000_000, members=10)
    with pytest.raises(untrusted.Refused, match="解压后超过"):
        untrusted.open_zip("honest.zip", honest, caps)  # from the declared size
    liar = lying(honest, "a.txt", 1000)
    archive = untrusted.open_zip("liar.zip", liar, caps)  # the header passes
    with archive, pytest.raises(untrusted.Refused, match="liar.zip"):
        archive.read(archive.members()[0])  # what it yields does not


def test_a_docx_bomb_and_a_docx_with_a_dtd_are_refused(office_client, import_letters):
    from docx import Document

    out = io.BytesIO()
    document = Document()
    document.add_paragraph("上海市科学技术委员会")
    document.save(out)
    docx = out.getvalue()
    source = zipfile.ZipFile(io.BytesIO(docx))
    parts = {name: source.read(name) for name in source.namelist()}
    xml = parts["word/document.xml"].decode()
    body = xml.split("?>", 1)[1]
    parts["word/document.xml"] = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + body
    ).encode()
    xxe = zipped(parts.items())
    parts["word/document.xml"] = xml.encode() + b" " * (importer.DOCX.total + 1)
    bomb = zipped(parts.items())
    files = [("xxe.docx", xxe), ("bomb.docx", bomb), ("a.txt", LETTER.encode())]
    page = import_letters(office_client, files)
    record = record_of(page)
    assert record.state == LetterImportState.READY  # a.txt was read: it is previewed
    refused = {p["name"]: p["error"] for p in record.previews if p.get("error")}
    assert "DTD" in refused["xxe.docx"] and "word/document.xml" in refused["xxe.docx"]
    assert "解压后超过" in refused["bomb.docx"]
    html = page.content.decode()  # the refused beside the preview, with their reasons
    assert "xxe.docx" in html and "DTD" in html and "解压后超过" in html and "发文机关" in html


def test_a_reading_that_fails_ends_the_import_with_the_reason(
    office_client, import_letters, monkeypatch
):
    def broken(*_args):
        raise RuntimeError("the parser fell over")

    monkeypatch.setattr(importer, "previews_of", broken)
    page = import_letters(office_client, [("a.txt", LETTER.encode())])
    record = record_of(page)
    assert record.state == LetterImportState.FAILED
    assert "处理时出错" in record.message and "the parser fell over" not in record.message
    assert "处理时出错" in page.content.decode() and "hx-get" not in page.content.decode()


def test_a_reading_past_the_time_limit_ends_the_import(office_client, import_letters, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    def slow(*_args):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(importer, "previews_of", slow)
    record = record_of(import_letters(office_client, [("a.txt", LETTER.encode())]))
    assert record.state == LetterImportState.FAILED and "秒" in record.message


def test_an_import_whose_worker_vanished_fails_when_its_page_is_opened(
    office_client, shanghai, office
):
    record = LetterImport.objects.create(
        jurisdiction=shanghai, created_by=office, names=["a.txt"], stored=[]
    )
    LetterImport.objects.filter(pk=record.pk).update(
        created_at=timezone.now() - background.STUCK_AFTER - timedelta(seconds=1)
    )
    listing = office_client.get("/office/import/").content.decode()  # the list ends it too
    record.refresh_from_db()
    assert record.state == LetterImportState.FAILED and "已停止" in record.message
    assert "识别失败" in listing
    assert "已停止" in office_client.get(f"/office/import/{record.pk}/").content.decode()


def test_another_jurisdictions_import_is_not_found(client, shanghai, office):
    other = factories.jurisdiction("云南省")
    stranger = factories.office_user(other, username="yn_office")
    record = LetterImport.objects.create(jurisdiction=shanghai, created_by=office, names=["a"])
    client.force_login(stranger)
    assert client.get(f"/office/import/{record.pk}/").status_code == 404
    assert client.post(f"/office/import/{record.pk}/save").status_code == 404


# ---- what cannot be read ends in a refusal in the user's words -----------------------------
ENGLISH = re.compile(r"[A-Za-z]{4,}")  # a library's message; file names here are short


def words_of(message, *names):
    for name in names:
        message = message.replace(name, "")
    return ENGLISH.findall(message)


def damaged(archive):
    """The archive with its one member's compressed bytes changed: its CRC no longer holds."""
    data = bytearray(archive)
    info = zipfile.ZipFile(io.BytesIO(archive)).infolist()[0]
    start = info.header_offset + 30 + len(info.filename.encode())
    data[start + 5] ^= 0xFF
    return bytes(data)


def test_an_upload_with_nothing_readable_fails_saying_why_in_chinese(office_client, import_letters):
    broken = damaged(zipped([("a.txt", LETTER.encode())], zipfile.ZIP_STORED))
    not_a_docx = zipped([("hello.txt", b"hello")])
    files = [("notzip.zip", b"this is not a zip"), ("broken.zip", broken), ("x.docx", not_a_docx)]
    page = import_letters(office_client, files)
    record = record_of(page)
    assert record.state == LetterImportState.FAILED  # not 待确认 with nothing to confirm
    message = record.message
    assert "没有可以读取的函件" in message
    assert "notzip.zip" in message and "不是压缩文件" in message
    assert "broken.zip" in message and "a.txt" in message and "已损坏" in message
    assert "x.docx" in message and "不是有效的DOCX文件" in message
    assert words_of(message, "notzip", "broken", "docx", "DOCX") == []  # no "File is not a zip"
    html = page.content.decode()
    assert "识别失败" in html and "不是压缩文件" in html and "保存已确认的函件" not in html


def test_refused_files_are_listed_beside_the_letters_read(office_client, import_letters):
    page = import_letters(office_client, [("a.txt", LETTER.encode()), ("bad.zip", b"nope")])
    record = record_of(page)
    assert record.state == LetterImportState.READY
    [letter] = record.letters
    assert letter["name"] == "a.txt"
    [refused] = [p for p in record.previews if p.get("error")]
    assert refused["name"] == "bad.zip" and words_of(refused["error"], "bad") == []
    html = page.content.decode()
    assert "bad.zip" in html and "不是压缩文件" in html and "沪科提复〔2024〕24号" in html


def test_the_refusal_messages_never_carry_the_librarys_words():
    import inspect

    for module in (untrusted, importer):
        assert "%(e)s" not in inspect.getsource(module)


# ---- what one import keeps is bounded --------------------------------------------------------
def stored_size(record):
    """The record's preview as the database is handed it (JSON, non-ASCII escaped)."""
    import json

    return len(json.dumps(record.previews)) + len(record.message)


def test_twenty_four_long_texts_are_refused_and_not_stored(office_client, import_letters):
    # The review's upload: a 167 KB zip of 24 texts of 1.7 MB each made a 68 MB record.
    text = ("会议第一号提案的答复。" * 60 + "\n") * 950
    assert len(text.encode()) > 1_600_000
    upload = zipped([(f"{i:02}.txt", text.encode()) for i in range(24)])
    assert len(upload) < 200_000
    record = record_of(import_letters(office_client, [("long.zip", upload)]))
    assert record.state == LetterImportState.FAILED  # every one is over a letter's length
    assert "万字" in record.message and "23.txt" in record.message
    assert stored_size(record) < 20_000


def test_what_one_upload_keeps_stays_within_its_character_cap(office_client, import_letters):
    lines = ("关于某项工作的答复内容第一段落的文字。" * 5 + "\n") * 1500  # 142,500 characters
    letter = LETTER.replace("您好。", lines)
    assert importer.LETTER_CHARS > len(letter) > 140_000
    upload = zipped([(f"{i:02}.txt", letter.encode()) for i in range(24)])
    page = import_letters(office_client, [("many.zip", upload)])
    record = record_of(page)
    assert record.state == LetterImportState.READY
    kept = record.letters
    assert len(kept) == importer.UPLOAD_CHARS // len(letter)  # the first that fit
    assert all("分批导入" in p["error"] for p in record.previews if p.get("error"))
    assert sum(len(p["text"]) for p in kept) <= importer.UPLOAD_CHARS
    # The text is kept once, not again as the body: the record is a few MB at most.
    import json

    assert len(json.dumps(record.previews, ensure_ascii=False)) < 1.05 * importer.UPLOAD_CHARS
    assert stored_size(record) < 7 * importer.UPLOAD_CHARS  # escaped: 6 bytes a character
    assert "保存已确认的函件" in page.content.decode()


def test_a_one_line_letter_is_not_stored_twice_as_its_elements():
    previews = importer.previews_of(
        [("a.txt", ("会" * 150_000).encode())], untrusted.Budget(10**8, 60, "")
    )
    [preview] = previews
    import json

    assert len(json.dumps(preview["parsed"], ensure_ascii=False)) < 5_000
