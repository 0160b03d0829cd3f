"""The typefaces Banli carries, and the checks that a letter is set in them and nothing else.

Every PDF is set in the faces under responses/fonts/ (subsets of openly licensed fonts, see
build.py there), loaded through @font-face from file URLs: a system font is never looked up.
Three checks keep a broken letter from being frozen:
- before rendering, every character of every element must be in the faces (`uncovered`);
- after rendering, every font WeasyPrint embedded must be one of ours and no glyph may be
  the empty box (`embedding_problems`);
- the text read back from the PDF must be the letter's text (`text_problems`).
"""

import logging
import re
import subprocess
import sys
import unicodedata
from functools import cache
from io import BytesIO
from pathlib import Path

from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from workflow.audit import ActionRefused

logger = logging.getLogger(__name__)

FONT_DIR = Path(__file__).resolve().parent / "fonts"
# family → (file, weight declared in @font-face)
FACES = {
    "Banli Song": ("BanliSong-Regular.otf", 400),
    "Banli Title": ("BanliTitle-Bold.otf", 700),
    "Banli Hei": ("BanliHei-Regular.otf", 400),
    "Banli Ext": ("BanliExt-Regular.ttf", 400),
}
# What needs no glyph: line breaks and tabs (the issued line splits on one).
INVISIBLE = set("\t\n\r\u200b")

# What to install when WeasyPrint cannot render: the one thing Banli cannot carry.
SYSTEM_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"


class RenderingUnavailable(ActionRefused):
    """WeasyPrint (Pango) cannot render on this machine; the message says what to install."""


def face_path(family):
    return FONT_DIR / FACES[family][0]


@cache
def face_coverage(family):
    """The code points one Banli face has a glyph for: read once per process."""
    from fontTools.ttLib import TTFont

    with TTFont(face_path(family), lazy=True) as font:
        return frozenset(font.getBestCmap())


@cache
def coverage():
    """Every code point some Banli face has a glyph for."""
    return frozenset().union(*(face_coverage(family) for family in FACES))


def uncovered(texts):
    """The characters of `texts` no Banli face has, in order of first appearance."""
    covered, missing = coverage(), {}
    for text in texts:
        for char in text:
            if char not in INVISIBLE and ord(char) not in covered:
                missing.setdefault(char, None)
    return list(missing)


def describe(chars):
    """「X」(U+XXXX) for each character: private-use and unassigned ones show as nothing."""
    return "、".join(f"「{c}」(U+{ord(c):04X})" for c in chars)


def font_face_css():
    rules = []
    for family, (_file, weight) in FACES.items():
        url = face_path(family).as_uri()
        rules.append(
            f'@font-face {{ font-family: "{family}"; src: url("{url}"); '
            f"font-weight: {weight}; font-style: normal; }}"
        )
    return "\n".join(rules)


def embedding_problems(document):
    """After `document.write_pdf()`: fonts that are not Banli's, and characters drawn with a
    glyph their font does not have (the empty box), as sentences."""
    problems = []
    for font in document.fonts.values():
        if font.family not in FACES:
            problems.append(_("使用了非内置字体“%(family)s”") % {"family": font.family})
            continue
        has = face_coverage(font.family)
        boxes = {
            char
            for text in font.to_unicode.values()
            for char in text
            if char not in INVISIBLE and ord(char) not in has
        }
        if boxes:
            problems.append(
                _("字体“%(family)s”缺字：%(chars)s")
                % {"family": font.family, "chars": describe(sorted(boxes))}
            )
    return problems


# ---- fonts of a stored PDF (for letters frozen before Banli carried its fonts) -------------
def pdf_font_names(content):
    """The names of the fonts a PDF uses, without subset tags ('ABCDEF+DejaVu-Sans' →
    'DejaVu-Sans'): those of every page and of the forms drawn on it, as pypdf reads them."""
    names, seen = set(), set()

    def walk(resources):
        resources = resources.get_object() if resources is not None else None
        if not resources:
            return
        for font in (resources.get("/Font") or {}).values():
            base = str(font.get_object().get("/BaseFont", ""))
            names.add(base.lstrip("/").split("+", 1)[-1])
        for form in (resources.get("/XObject") or {}).values():
            if getattr(form, "idnum", None) in seen:
                continue
            seen.add(getattr(form, "idnum", None))
            walk(form.get_object().get("/Resources"))

    for page in PdfReader(BytesIO(content)).pages:
        walk(page.get("/Resources"))
    names.discard("")
    return names


def foreign_fonts(content):
    """Fonts in a stored PDF that are not Banli's (empty for a letter set as it should be)."""
    ours = {family.replace(" ", "-") for family in FACES}
    try:
        names = pdf_font_names(content)
    except PdfReadError:
        return {"(unreadable)"}  # a stored file that is no PDF needs rendering again too
    return {name for name in names if not name.startswith(tuple(ours))}


# ---- the text read back from the PDF ----------------------------------------------------
PAGE_NUMBER = re.compile(r"—\d+—")


def normalise(text):
    """Compared modulo whitespace, line breaks, compatibility forms and page numbers."""
    text = unicodedata.normalize("NFKC", text)
    return PAGE_NUMBER.sub("", "".join(text.split()))


def pdf_text(content):
    """The text of a PDF, as pypdf (from the lock, pure Python) reads it."""
    reader = PdfReader(BytesIO(content))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def text_problems(content, texts):
    """Whether the PDF's text is the letter's text (in order), as a list of sentences."""
    extracted = pdf_text(content)
    want, got = normalise("".join(texts)), normalise(extracted)
    if want == got:
        return []
    at = next((i for i, (a, b) in enumerate(zip(want, got, strict=False)) if a != b), None)
    at = min(len(want), len(got)) if at is None else at
    return [
        _("PDF中的文字与函件不一致（自第%(at)d个字起：应为“%(want)s”，实为“%(got)s”）")
        % {"at": at + 1, "want": want[at : at + 12], "got": got[at : at + 12]}
    ]


# ---- can this machine render at all? ------------------------------------------------------
PROBE = """
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
config = FontConfiguration()
css = CSS(string={css!r} + 'html {{ font-family: "Banli Song", "Banli Ext" }}', font_config=config)
document = HTML(string="<p>办理答复 䶮𠇔 1</p>").render(stylesheets=[css], font_config=config)
document.write_pdf()
foreign = sorted({{font.family for font in document.fonts.values()}} - set({families!r}))
print("fonts not Banli's: " + ", ".join(foreign) if foreign else "ok")
"""


def rendering_check(timeout=120):
    """Render a one-line CJK letter in a separate process (a Pango without fonts can crash
    its process: it must not be the worker's). Returns None when rendering works, or a
    sentence saying what is wrong and what to install."""
    script = PROBE.format(css=font_face_css(), families=sorted(FACES))
    try:
        done = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return _("生成PDF的测试超时。")
    if done.returncode == 0 and done.stdout.strip() == "ok":
        return None
    detail = (done.stdout.strip() or done.stderr.strip().splitlines()[-1:] or ["?"])[-1]
    if done.returncode < 0:
        detail = _("进程异常终止（信号%(signal)d）") % {"signal": -done.returncode}
    return _(
        "本机无法生成PDF函件（%(detail)s）。请安装系统软件包：apt-get install %(packages)s"
    ) % {"detail": detail[:300], "packages": SYSTEM_PACKAGES}


_probed = None  # the subprocess probe's answer, when the worker ran it at start ("" = works)


def probe_at_start():
    """Run by the worker before it forks its pool (config/celery.py): its children inherit
    the answer, so no task renders on a machine that cannot."""
    global _probed
    _probed = rendering_check() or ""
    return _probed or None


def require_rendering():
    """Raise RenderingUnavailable if this machine cannot render: the worker's probe at start
    when it ran, else (web, shell) whether WeasyPrint and Pango load at all."""
    problem = _probed if _probed is not None else _load_problem()
    if problem:
        raise RenderingUnavailable(problem)


@cache
def _load_problem():
    try:
        import weasyprint  # noqa: F401  loads Pango, HarfBuzz and Fontconfig
    except (ImportError, OSError) as exc:
        return _(
            "本机无法生成PDF函件（%(detail)s）。请安装系统软件包：apt-get install %(packages)s"
        ) % {
            "detail": str(exc)[:300],
            "packages": SYSTEM_PACKAGES,
        }
    return ""
