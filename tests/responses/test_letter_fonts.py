"""Letters are set in the fonts Banli carries, on any machine, and a letter that cannot be
printed with every glyph is neither sent nor frozen."""

import io
import shutil
import subprocess

import pytest
from docx import Document

from responses import glyphs, rendering
from responses.actions import (
    freeze,
    save_letter,
    send_letter,
    sign_letter,
    start_reply,
    submit_letter,
)
from responses.models import LetterFile, LetterState
from tests import factories
from tests.responses.test_letters import seeds  # noqa: F401  (the seed letters fixture)
from tests.services import IN_CI

pytestmark = pytest.mark.django_db
CONFIRMED = {"confirmed": "1"}  # past the page that asks first

BANLI_FONTS = {family.replace(" ", "-") for family in glyphs.FACES}


def poppler(tool, content):
    if not shutil.which(tool):
        if IN_CI:
            pytest.fail(f"{tool} is missing (apt-get install poppler-utils)")
        pytest.skip(f"{tool} is not installed")
    args = [tool, "-", "-"] if tool == "pdftotext" else [tool, "-"]
    return subprocess.run(args, input=content, capture_output=True, check=True).stdout.decode()


def embedded_families(content):
    """pdffonts' names without subset tag and style: 'ABCDEF+Banli-Title-Bold' → 'Banli-Title'
    ('DejaVu-Sans' stays 'DejaVu-Sans')."""
    rows = poppler("pdffonts", content).splitlines()[2:]
    names = {row.split()[0].split("+", 1)[-1] for row in rows if row.strip()}
    return {"-".join(name.split("-")[:2]) for name in names}


@pytest.fixture
def draft(office, clerk, kewei):
    assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(assignment, clerk)
    return start_reply(assignment, clerk)


@pytest.fixture
def empty_fontconfig(tmp_path, monkeypatch):
    """A machine where fontconfig finds no font at all (`fc-list` prints nothing)."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig><cachedir>{tmp_path}/cache</cachedir></fontconfig>"
    )
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    return conf


@pytest.mark.parametrize(
    ("addressee", "rare"),
    [("王䶮代表", "䶮"), ("李𠇔委员", "𠇔")],  # CJK Extension A, CJK Extension B
)
def test_rare_characters_in_names_render_with_their_glyphs(draft, clerk, addressee, rare):
    draft = save_letter(
        draft, clerk, addressee=addressee, title=f"对{addressee}所提建议的答复", body="收悉。"
    )
    assert rendering.missing_glyphs(draft) == []
    content = rendering.pdf(draft)
    assert embedded_families(content) <= BANLI_FONTS
    text = poppler("pdftotext", content)
    assert f"{addressee}：" in text and text.count(rare) == 2


@pytest.mark.parametrize("seed", ["000", "002", "003", "004"])
def test_the_seed_letters_use_only_banlis_fonts(seeds, seed):  # noqa: F811
    content = rendering.pdf(seeds[seed])  # raises if any check fails
    families = embedded_families(content)
    assert families <= BANLI_FONTS and {"Banli-Song", "Banli-Title"} <= families
    text = "".join(poppler("pdftotext", content).split())
    assert "".join(seeds[seed].title.split()) in text


@pytest.mark.parametrize("stranger", ["\ue000", "\U0003134f"])  # private use; unassigned
def test_a_character_no_banli_font_has_is_refused_at_sending(
    office, clerk, leader, kewei, stranger
):
    assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(assignment, clerk)
    reply = start_reply(assignment, clerk)
    reply = save_letter(
        reply, clerk, body=f"现将办理情况答复如下：张{stranger}同志。", class_label="解决采纳"
    )
    reply = sign_letter(submit_letter(reply, clerk), leader)
    with pytest.raises(rendering.BrokenLetter) as refused:
        send_letter(reply, clerk)
    assert f"U+{ord(stranger):04X}" in str(refused.value)
    reply.refresh_from_db()
    assert reply.state == LetterState.SIGNED and not reply.doc_number


def test_the_send_button_says_which_characters(client, office, clerk, leader, kewei):
    assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(assignment, clerk)
    reply = start_reply(assignment, clerk)
    reply = save_letter(reply, clerk, body="请联系\ue001先生。", class_label="解决采纳")
    reply = sign_letter(submit_letter(reply, clerk), leader)
    client.force_login(clerk)
    page = client.post(f"/letters/reply/{reply.pk}/send", CONFIRMED, follow=True)
    assert "U+E001" in page.content.decode()
    reply.refresh_from_db()
    assert reply.state == LetterState.SIGNED


def test_a_pdf_whose_text_is_not_the_letters_is_never_stored(
    office, clerk, leader, kewei, monkeypatch
):
    reply = factories.sent_reply(office, clerk, leader, kewei)
    monkeypatch.setattr(glyphs, "pdf_text", lambda content: "□□□□")
    with pytest.raises(rendering.BrokenLetter) as refused:
        freeze(reply)
    assert "PDF中的文字与函件不一致" in str(refused.value)
    assert not LetterFile.objects.filter(reply=reply).exists()
    monkeypatch.undo()
    assert freeze(reply)["pdf"].sha256


def test_text_check_reads_modulo_whitespace_and_page_numbers():
    assert glyphs.normalise("标 题\n正 文") == "标题正文"
    assert glyphs.normalise("第一页\n— 1 —\n第二页\n— 2 —") == "第一页第二页"


def test_the_rendering_check_works_where_fontconfig_finds_no_font(empty_fontconfig):
    assert glyphs.rendering_check() is None


def test_the_rendering_check_names_what_to_install_when_rendering_crashes(monkeypatch):
    monkeypatch.setattr(
        glyphs,
        "PROBE",
        "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)",
    )
    message = glyphs.rendering_check()
    assert "信号11" in message
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0" in message


def test_a_worker_that_cannot_render_refuses_to_freeze(office, clerk, leader, kewei, monkeypatch):
    reply = factories.sent_reply(office, clerk, leader, kewei)
    monkeypatch.setattr(glyphs, "_probed", "本机无法生成PDF函件（缺少Pango）。")
    from responses.tasks import freeze_letter

    assert freeze_letter("responses.reply", reply.pk) is False
    assert not LetterFile.objects.filter(reply=reply).exists()


def test_the_docx_keeps_the_government_font_names(draft, clerk):
    draft = save_letter(draft, clerk, class_label="解决采纳")
    document = Document(io.BytesIO(rendering.docx(draft)))
    names = {
        run.element.rPr.rFonts.get(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
        )
        for paragraph in document.paragraphs
        for run in paragraph.runs
    }
    assert names <= {"仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312"}
    assert {"仿宋_GB2312", "方正小标宋简体", "黑体"} <= names


def pdf_set_in(base_font):
    """A one-page PDF whose page uses one font, as a letter frozen in a system font was."""
    from io import BytesIO

    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    font = DictionaryObject(
        {NameObject("/Type"): NameObject("/Font"), NameObject("/BaseFont"): NameObject(base_font)}
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
    )
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def test_letters_frozen_without_their_glyphs_are_rerendered_once(office, clerk, leader, kewei):
    from io import StringIO

    from django.core.management import call_command

    from workflow.models import TransitionLog

    reply = factories.sent_reply(office, clerk, leader, kewei)
    boxes = pdf_set_in("/QWERTY+DejaVu-Sans")
    LetterFile.objects.create(reply=reply, format="pdf", content=boxes, sha256="e" * 64)
    out = StringIO()
    call_command("refreeze_letters", stdout=out)
    assert "eeeeeeeeeeeeeeee… →" in out.getvalue() and "1 PDF(s) re-rendered" in out.getvalue()
    frozen = LetterFile.objects.get(reply=reply, format="pdf")
    content = bytes(frozen.content)
    assert glyphs.foreign_fonts(content) == set() and frozen.sha256 == rendering.digest(content)
    trail = TransitionLog.objects.get(object_id=reply.pk, transition="refreeze")
    assert "e" * 64 in trail.comment and frozen.sha256 in trail.comment
    assert trail.source == trail.target == reply.state

    again = StringIO()
    call_command("refreeze_letters", stdout=again)
    assert "0 PDF(s) re-rendered" in again.getvalue()
    assert LetterFile.objects.get(pk=frozen.pk).sha256 == frozen.sha256


def test_the_worker_checks_rendering_at_start_and_then_refuses_to_render(monkeypatch, caplog):
    from config.celery import check_rendering

    monkeypatch.setattr(glyphs, "_probed", None)
    monkeypatch.setattr(glyphs, "rendering_check", lambda: "本机无法生成PDF函件（缺少Pango）。")
    check_rendering()
    assert "本机无法生成PDF函件（缺少Pango）。 函件将不会定稿。" in caplog.text
    with pytest.raises(glyphs.RenderingUnavailable):
        glyphs.require_rendering()


def test_a_glyph_drawn_as_a_box_is_caught_after_rendering_too(draft, clerk, monkeypatch):
    """Were the check before rendering skipped, the PDF's own fonts are read back: pdftotext
    would happily 'read' the box as the character, so the glyph itself is checked."""
    draft = save_letter(draft, clerk, body="请联系\ue002同志。")
    monkeypatch.setattr(rendering, "require_glyphs", lambda letter: None)
    with pytest.raises(rendering.BrokenLetter) as refused:
        rendering.pdf(draft)
    assert "U+E002" in str(refused.value)
