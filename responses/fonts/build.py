"""How the typefaces in this folder were made (run by hand when a source font changes; the
product only reads the results). Each is a subset of an openly licensed font from Debian's
packages, renamed so that no system font of the same name can stand in for it:

    apt-get download fonts-noto-cjk fonts-hanazono
    for f in *.deb; do dpkg-deb -x "$f" src; done
    python responses/fonts/build.py src/usr/share/fonts

Banli Song  — Noto Serif CJK SC Regular (SIL OFL 1.1): the body, every other element.
Banli Title — Noto Serif CJK SC Bold (SIL OFL 1.1), GB 2312 only: the title and the organ
              mark; a rarer character falls to Banli Song.
Banli Hei   — Noto Sans CJK SC Regular (SIL OFL 1.1), GB 2312 only: the 黑体 marks; any
              character it lacks falls to Banli Song.
Banli Ext   — Hanazono Mincho B (Hanazono Font License or SIL OFL 1.1): CJK Extension B,
              for the rare characters in names that Noto lacks.
"""

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

HERE = Path(__file__).resolve().parent
SYMBOLS = [
    (0x20, 0x7E), (0xA0, 0xFF), (0x2010, 0x206F), (0x2100, 0x218F), (0x2190, 0x21FF),
    (0x2460, 0x24FF), (0x2500, 0x25FF), (0x2600, 0x26FF), (0x2E80, 0x2FDF), (0x3000, 0x303F),
    (0x3040, 0x30FF), (0x3100, 0x312F), (0x3200, 0x33FF), (0xF900, 0xFAFF), (0xFE10, 0xFE1F),
    (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),
]  # fmt: skip
UNIFIED = [(0x3400, 0x4DBF), (0x4E00, 0x9FFF)]  # CJK Unified Ideographs and Extension A
EXT_B = [(0x20000, 0x2A6DF)]
GB2312 = [(c, c) for c in range(0x4E00, 0xA000) if chr(c).encode("gb2312", "ignore")]


def make(source, number, target, family, style, ranges):
    font = TTFont(source, fontNumber=number)
    options = subset.Options()
    options.hinting = False
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["VORG", "vhea", "vmtx", "BASE", "DSIG", "FFTM"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[c for low, high in ranges for c in range(low, high + 1)])
    subsetter.subset(font)
    names = font["name"]
    postscript = f"{family.replace(' ', '')}-{style}"
    for record in list(names.names):
        if record.nameID in (1, 3, 4, 6, 16, 17):
            names.removeNames(nameID=record.nameID)
    for name_id, text in ((1, family), (2, style), (3, postscript), (4, f"{family} {style}"),
                          (6, postscript)):  # fmt: skip
        names.setName(text, name_id, 3, 1, 0x409)
    if "CFF " in font:
        font["CFF "].cff.fontNames = [postscript]
    font.save(HERE / target)
    print(target, (HERE / target).stat().st_size)


if __name__ == "__main__":
    root = Path(sys.argv[1])
    noto, hanazono = root / "opentype/noto", root / "truetype/hanazono"
    which = sys.argv[2:] or ["song", "title", "hei", "ext"]
    jobs = {
        "song": (noto / "NotoSerifCJK-Regular.ttc", 2, "BanliSong-Regular.otf", "Banli Song",
                 "Regular", SYMBOLS + UNIFIED + EXT_B),
        "title": (noto / "NotoSerifCJK-Bold.ttc", 2, "BanliTitle-Bold.otf", "Banli Title",
                  "Bold", SYMBOLS + GB2312),
        "hei": (noto / "NotoSansCJK-Regular.ttc", 2, "BanliHei-Regular.otf", "Banli Hei",
                "Regular", SYMBOLS + GB2312),
        "ext": (hanazono / "HanaMinB.ttf", 0, "BanliExt-Regular.ttf", "Banli Ext", "Regular",
                [(0x20, 0x7E)] + EXT_B),
    }  # fmt: skip
    for name in which:
        make(*jobs[name])
