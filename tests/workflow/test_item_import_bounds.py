"""The Excel item import against hostile workbooks: each ends in a final state with a message
that says why, never in 检查中 forever (the former main left an XXE or billion-laughs sheet
checking forever, and read a 1 MB file holding 1 GB of cell text into 2 GB of memory)."""

import io
import re
import struct
import zipfile
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from lxml import etree
from openpyxl.utils import get_column_letter

from proposals import untrusted
from workflow import background, item_import, xlsx_reader
from workflow.models import ItemImport, ItemImportState

pytestmark = pytest.mark.django_db

XXE = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
LAUGHS = (
    '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    + "]>"
)


def template():
    return item_import.template_workbook()


def with_member(data, member, content):
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != member:
                archive.writestr(info, source.read(info))
        archive.writestr(member, content)
    return out.getvalue()


def with_dtd(member, dtd, reference):
    data = template()
    xml = zipfile.ZipFile(io.BytesIO(data)).read(member).decode()
    xml = re.sub(r"^<\?xml[^>]*\?>", "", xml)
    xml = xml.replace("/>", f' x="{reference}"/>', 1)
    return with_member(data, member, '<?xml version="1.0"?>' + dtd + xml)


def sheet_xml(rows):
    cells = "".join(
        f'<row r="{r}">'
        + "".join(
            f'<c r="{get_column_letter(c + 1)}{r}" t="inlineStr"><is><t>{value}</t></is></c>'
            for c, value in enumerate(row)
        )
        + "</row>"
        for r, row in enumerate(rows, start=1)
    )
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{cells}</sheetData></worksheet>"
    )


HEADERS = [str(h) for _k, h, *_ in item_import.COLUMNS]


@pytest.fixture
def upload(client, office, shanghai, django_capture_on_commit_callbacks):
    client.force_login(office)

    def send(data, name="import.xlsx"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/office/proposals/import/",
                {"jurisdiction": shanghai.pk, "file": SimpleUploadedFile(name, data)},
            )
        assert response.status_code == 302, response.content[:300]
        page = client.get(response["Location"])
        record = ItemImport.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
        return record, page.content.decode()

    return send


def assert_refused(record, page, *words):
    assert record.state in (ItemImportState.REFUSED, ItemImportState.FAILED), record.state
    assert not record.is_running and record.finished_at
    for word in words:
        assert word in record.message, record.message
    assert record.message in page and "hx-get" not in page  # said, and no longer polling


@pytest.mark.parametrize("member", ["xl/workbook.xml", "[Content_Types].xml", "xl/styles.xml"])
def test_an_xxe_workbook_is_refused_and_ends(upload, member):
    record, page = upload(with_dtd(member, XXE, "&e;"))
    assert_refused(record, page, "DTD", member)


@pytest.mark.parametrize("member", ["xl/workbook.xml", "docProps/core.xml"])
def test_a_billion_laughs_workbook_is_refused_and_ends(upload, member):
    record, page = upload(with_dtd(member, LAUGHS, "&j;"))
    assert_refused(record, page, "DTD", member)


@pytest.mark.parametrize("dtd, reference", [(XXE, "&e;"), (LAUGHS, "&j;")])
def test_the_sheet_reader_resolves_no_entity_even_past_our_check(dtd, reference):
    """Our DTD check comes first; behind it, the reader's parser resolves no entity: an XXE
    or a billion-laughs sheet gives an error or the bare text, never the file or the blow-up."""
    data = template()
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    xml = '<?xml version="1.0"?>' + dtd + xml.replace("<t>", f"<t>{reference}", 1)
    data = with_member(data, "xl/worksheets/sheet1.xml", xml)
    with untrusted.open_zip("x.xlsx", data, item_import.WORKBOOK) as archive:
        try:
            rows = list(xlsx_reader.first_sheet_rows(archive))
        except etree.XMLSyntaxError:
            return
    text = "".join(str(v) for row in rows for v in row)
    assert "root:" not in text and "aaaaaaaaaa" not in text


def shared_strings_workbook():
    """A workbook as Excel and WPS write it: strings in sharedStrings.xml, dates as numbers
    with a date style, a formula, a boolean, a gap in the rows and in the columns."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    sheet.append(["提案", "市政协十四届二次会议", 1136, "关于……的提案", "章毅、张远波"])
    sheet["L2"] = date(2024, 3, 5)
    sheet["H2"] = True
    sheet["F2"] = "=1+1"
    sheet["G2"] = 2.5
    sheet["A5"] = "建议"
    sheet["C5"] = "0012"
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    # Move the inline strings to a shared-strings part, as Excel would have written them.
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    strings = []

    def shared(found):
        strings.append(found.group(2))
        return f'{found.group(1)} t="s"><v>{len(strings) - 1}</v></c>'

    xml = re.sub(
        r'(<c r="[A-Z]+\d+"(?: s="\d+")?) t="inlineStr"><is><t>(.*?)</t></is></c>', shared, xml
    )
    sst = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + "".join(f"<si><t>{text}</t></si>" for text in strings)
        + "</sst>"
    )
    data = with_member(data, "xl/worksheets/sheet1.xml", xml)
    data = with_member(data, "xl/sharedStrings.xml", sst)
    rels = zipfile.ZipFile(io.BytesIO(data)).read("xl/_rels/workbook.xml.rels").decode()
    rels = rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdS" Target="sharedStrings.xml" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>',
    )
    data = with_member(data, "xl/_rels/workbook.xml.rels", rels)
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml").decode()
    types = types.replace(
        "</Types>",
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    return with_member(data, "[Content_Types].xml", types), len(strings)


@pytest.mark.parametrize("shared", [False, True])
def test_the_sheet_reader_gives_what_openpyxl_gives(shared):
    from openpyxl import load_workbook

    if shared:
        data, count = shared_strings_workbook()
        assert count > 5
    else:
        from tests.workflow.test_item_import import good_rows, workbook

        data = workbook(good_rows(30))
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    expected = [tuple(v for v in row) for row in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    with untrusted.open_zip("x.xlsx", data, item_import.WORKBOOK) as archive:
        rows = list(xlsx_reader.first_sheet_rows(archive))

    def trimmed(row):
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        return row

    assert [trimmed(r) for r in rows] == [trimmed(r) for r in expected]


def test_cells_that_expand_past_the_cap_are_refused_before_openpyxl(upload):
    cap = item_import.WORKBOOK.total
    big = sheet_xml([HEADERS[:5], ["提案", "x", "1", "0" * (cap + 1), "某"]])
    data = with_member(template(), "xl/worksheets/sheet1.xml", big)
    assert len(data) < item_import.MAX_BYTES
    record, page = upload(data)
    assert_refused(record, page, "解压后超过", "50MB")


def lie_about(data, member, declared):
    """The archive with `member`'s uncompressed size rewritten to `declared` in both headers."""
    lying = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    struct.pack_into("<I", lying, info.header_offset + 22, declared)  # the local header
    for found in re.finditer(rb"PK\x01\x02", lying):  # its central directory entry
        at = found.start()
        length = struct.unpack_from("<H", lying, at + 28)[0]
        if lying[at + 46 : at + 46 + length] == member.encode():
            struct.pack_into("<I", lying, at + 24, declared)
    return bytes(lying)


def test_a_header_that_understates_the_sheet_size_is_caught_while_decompressing():
    data = with_member(template(), "xl/worksheets/sheet1.xml", "<a>" + "0" * 3_000_000 + "</a>")
    lying = lie_about(data, "xl/worksheets/sheet1.xml", 100)
    with pytest.raises(item_import.WorkbookRefused, match="sheet1.xml"):
        item_import.read_workbook(lying, "lying.xlsx")


def test_too_many_columns_are_refused(upload):
    header = HEADERS + [f"备注{i}" for i in range(item_import.MAX_COLUMNS)]
    data = with_member(template(), "xl/worksheets/sheet1.xml", sheet_xml([header]))
    record, page = upload(data)
    assert_refused(record, page, str(item_import.MAX_COLUMNS))


def test_too_many_rows_are_refused_while_streaming(upload):
    rows = [HEADERS, ["提案"] * 5]
    xml = sheet_xml(rows).replace(
        "</sheetData>",
        f'<row r="{item_import.MAX_ROWS + 5}"><c r="A1" t="inlineStr">'
        "<is><t>提案</t></is></c></row></sheetData>",
    )
    record, page = upload(with_member(template(), "xl/worksheets/sheet1.xml", xml))
    assert_refused(record, page, str(item_import.MAX_ROWS))


def test_too_many_parts_are_refused():
    crowded = io.BytesIO()
    with zipfile.ZipFile(crowded, "w") as archive:
        source = zipfile.ZipFile(io.BytesIO(template()))
        for info in source.infolist():
            archive.writestr(info, source.read(info))
        for i in range(item_import.WORKBOOK.members):
            archive.writestr(f"xl/media/extra{i}.bin", b"")
    with pytest.raises(item_import.WorkbookRefused, match="超过上限"):
        item_import.read_workbook(crowded.getvalue(), "crowded.xlsx")


def test_a_check_that_raises_moves_the_import_to_failed_with_the_reason(upload, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("the check fell over")

    monkeypatch.setattr(item_import, "check", broken)
    record, page = upload(template())
    assert record.state == ItemImportState.FAILED
    assert_refused(record, page, "处理时出错")
    assert "the check fell over" not in record.message + page


def test_a_check_past_the_time_limit_fails_with_the_reason(upload, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    def slow(*_args, **_kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(item_import, "read_workbook", slow)
    record, page = upload(template())
    assert record.state == ItemImportState.FAILED
    assert_refused(record, page, str(background.SOFT_LIMIT))


def test_an_import_whose_worker_vanished_fails_when_its_page_is_opened(client, office, shanghai):
    from django.core.files.base import ContentFile

    record = ItemImport(jurisdiction=shanghai, name="lost.xlsx", created_by=office)
    record.file.save("lost.xlsx", ContentFile(template()), save=False)
    record.save()
    ItemImport.objects.filter(pk=record.pk).update(
        created_at=timezone.now() - background.STUCK_AFTER - timedelta(seconds=1)
    )
    client.force_login(office)
    listing = client.get("/office/proposals/import/").content.decode()  # the list ends it too
    record.refresh_from_db()
    assert record.state == ItemImportState.FAILED and "导入失败" in listing
    page = client.get(f"/office/proposals/import/{record.pk}/").content.decode()
    assert_refused(record, page, "已停止")


def test_the_shared_reader_refuses_a_corrupt_archive():
    with pytest.raises(untrusted.Refused, match="已损坏"):
        untrusted.open_zip("x.zip", b"PK\x03\x04 not really", item_import.WORKBOOK)
