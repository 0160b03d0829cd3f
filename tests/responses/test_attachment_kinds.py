"""Attachments are stored and served as what their bytes are, never as their names say."""

import io
import zipfile
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from responses.actions import ATTACHMENT_LIMIT, attach_file, start_reply
from responses.models import Attachment
from tests import factories
from workflow.audit import ActionRefused

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(office, kewei, clerk):
    return start_reply(factories.accepted(office, clerk, kewei), clerk)


def upload(client, reply, name, content):
    return client.post(
        f"/letters/reply/{reply.pk}/attach",
        {"file": SimpleUploadedFile(name, content, content_type="text/html")},
        follow=True,
        headers={"referer": f"/letters/reply/{reply.pk}/"},
    )


def zipped(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def image(fmt):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(buffer, fmt)
    return buffer.getvalue()


def test_a_pdf_named_html_is_served_as_a_pdf_to_download(client, draft, clerk):
    """The reproduction: a file starting %PDF- named poly.html came back as text/html."""
    polyglot = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n"
    client.force_login(clerk)
    upload(client, draft, "poly.html", polyglot)
    attachment = draft.attachments.get()
    assert attachment.kind == "pdf" and attachment.name == "poly.pdf"
    editor = client.get(f"/letters/reply/{draft.pk}/").content.decode()
    assert "poly.pdf" in editor and "poly.html" not in editor

    response = client.get(f"/attachments/{attachment.pk}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "poly.pdf" in response["Content-Disposition"]
    assert ".html" not in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == polyglot


@pytest.mark.parametrize(
    ("name", "content", "kind", "shown", "media_type"),
    [
        (
            "通知.exe",
            zipped({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"}),
            "docx",
            "通知.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("现场照片.svg", image("PNG"), "png", "现场照片.png", "image/png"),
        ("现场照片.html", image("JPEG"), "jpeg", "现场照片.jpg", "image/jpeg"),
        ("无扩展名", b"%PDF-1.7\n%%EOF\n", "pdf", "无扩展名.pdf", "application/pdf"),
    ],
)
def test_each_kind_is_named_and_typed_by_its_bytes(
    client, draft, clerk, name, content, kind, shown, media_type
):
    client.force_login(clerk)
    upload(client, draft, name, content)
    attachment = draft.attachments.get()
    assert (attachment.kind, attachment.name) == (kind, shown)
    response = client.get(f"/attachments/{attachment.pk}")
    assert response["Content-Type"] == media_type
    assert quote(shown) in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        # A zip holding the bytes "word/" but no Word document (the old check let it in).
        ("报告.docx", zipped({"word/page.html": "<script>alert(1)</script>"})),
        ("报告.docx", b"PK\x03\x04 word/ but not a zip at all"),
        ("照片.png", b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>"),
        ("照片.jpg", b"\xff\xd8\xff<html><script>alert(1)</script></html>"),
    ],
)
def test_what_only_starts_like_a_kind_is_refused(client, draft, clerk, name, content):
    client.force_login(clerk)
    refused = upload(client, draft, name, content)
    assert "只能上传PDF、DOCX、PNG或JPEG文件。" in refused.content.decode()
    assert not draft.attachments.exists()


def test_labels_keep_the_name_and_lose_only_its_extension():
    assert Attachment.label_for("2024.年度.报告.html", "pdf") == "2024.年度.报告.pdf"
    assert Attachment.label_for("..\\..\\evil.html", "png") == "evil.png"
    assert Attachment.label_for(".html", "pdf") == ".html.pdf"
    assert Attachment.label_for("", "jpeg") == "附件.jpg"
    assert len(Attachment.label_for("长" * 300 + ".pdf", "docx")) <= 200


def test_an_upload_over_the_limit_is_refused_without_reading_it_all(draft, clerk):
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * ATTACHMENT_LIMIT)
    big.size = 1  # a lying size: the bytes read are what counts
    with pytest.raises(ActionRefused, match="10MB"):
        attach_file(draft, clerk, big)
