"""The worst inputs known for each parser of uploaded files, each read in a fresh process:
wall time and the process's peak memory (ru_maxrss), against the target of refused or read
within 2 s and 200 MB. No database is needed (the readers never query), so it runs alone:

    python -m bench.parsers            full size: a 1 MB one-line letter, a 1 GB-expanding sheet…
    python -m bench.parsers --small    the CI size (inputs about a tenth)
    python -m bench.parsers --json     the figures as JSON (bench/run.py uses this)

Inputs are built once in a temporary folder (not timed); each is then read by
`python -m bench.parsers --one <kind> <file>` in its own process, so one input's memory
never counts against another's.
"""

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS, TARGET_MB = 2.0, 200
LETTER_HEAD = (
    "上海市科学技术委员会\n沪科提复〔2024〕24号\n"
    "关于市政协十四届二次会议第1136号提案的答复\n章毅委员：\n"
)
LETTER_TAIL = "\n上海市科学技术委员会\n2024年5月27日\n"


# ---- the inputs -------------------------------------------------------------------------
def zipped(members):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return out.getvalue()


def streamed_zip(path, members, chunk=b"0" * (1 << 20)):
    """A zip written member by member in 1 MB chunks: a gigabyte never sits in memory."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, head, size, tail in members:
            with archive.open(name, "w", force_zip64=True) as out:
                out.write(head)
                for _ in range(size // len(chunk)):
                    out.write(chunk)
                out.write(tail)


def template_parts():
    from workflow import item_import

    source = zipfile.ZipFile(io.BytesIO(item_import.template_workbook()))
    return {name: source.read(name) for name in source.namelist()}


def importer_limits():
    from responses import importer

    return importer.TEXT_LIMIT, importer.LETTER_CHARS


def sheet_rows(n, cell=None):
    from openpyxl import Workbook

    from workflow import item_import

    book = Workbook()
    sheet = book.active
    sheet.append([str(h) for _k, h, *_ in item_import.COLUMNS])
    for i in range(n):
        row = ["提案", "市政协十四届二次会议", str(i + 1), f"关于第{i}项工作的提案", "章毅、张远波"]
        row += ["正文", "科技", "否", "上海市科学技术委员会", "", "", "2024-03-05"]
        sheet.append([cell or value for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def build(folder, small):
    """(name, kind, path, expected outcome) for every input."""
    letter_bytes = 100_000 if small else 1_000_000
    sheet_bytes = (100 if small else 1024) * 1024 * 1024
    rows = 2_000 if small else 20_000
    inputs = []

    def put(name, kind, data, expected, filename):
        path = folder / filename
        path.write_bytes(data)
        inputs.append((name, kind, str(path), expected))

    text_limit, letter_chars = importer_limits()
    line = "会议" * (letter_bytes // 6)  # three bytes a character in UTF-8
    put(
        f"{letter_bytes // 1000:,} KB one-line letter (.txt)",
        "letter",
        (LETTER_HEAD + line + LETTER_TAIL).encode(),
        # Past the per-letter cap (a real letter is under 20,000 characters) it is refused.
        "read" if len(LETTER_HEAD + line + LETTER_TAIL) <= letter_chars else "refused",
        "long-line.txt",
    )
    at_cap = "会议" * ((letter_chars - len(LETTER_HEAD + LETTER_TAIL)) // 2)
    put(
        f"one-line letter at the cap, {letter_chars:,} characters (.txt)",
        "letter",
        (LETTER_HEAD + at_cap + LETTER_TAIL).encode(),
        "read",
        "at-cap.txt",
    )
    ten = zipped([(f"{i}.txt", b"a" * 500_000 + b"\n") for i in range(10)])
    put(
        f"ten 0.5 MB one-line texts ({len(ten) / 1024:.1f} KB .zip)",
        "letters",
        ten,
        "refused",  # each is past a letter's length
        "ten-texts.zip",
    )
    inner = zipped([("deep.txt", LETTER_HEAD.encode())])
    nested = inner
    for depth in range(5):
        nested = zipped([(f"level{depth}.zip", nested), ("a.txt", LETTER_HEAD.encode())])
    put(
        f"nested zip, 5 levels ({len(nested) / 1024:.1f} KB)",
        "letters",
        nested,
        "refused",
        "nested.zip",
    )
    bomb = folder / "letters-bomb.zip"
    streamed_zip(bomb, [("big.txt", b"", sheet_bytes, b"")])
    inputs.append(
        (
            f"zip of letters expanding to {sheet_bytes >> 20:,} MB "
            f"({bomb.stat().st_size / 1024:.0f} KB)",
            "letters",
            str(bomb),
            "refused",
        )
    )
    parts = template_parts()
    expanding = folder / "expanding.xlsx"
    with zipfile.ZipFile(expanding, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            if name != "xl/worksheets/sheet1.xml":
                archive.writestr(name, data)
    streamed_zip_append(
        expanding,
        "xl/worksheets/sheet1.xml",
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>',
        sheet_bytes,
        b"</t></is></c></row></sheetData></worksheet>",
    )
    inputs.append(
        (
            f"sheet expanding to {sheet_bytes >> 20:,} MB of cell text "
            f"({expanding.stat().st_size / 1024:.0f} KB .xlsx)",
            "sheet",
            str(expanding),
            "refused",
        )
    )
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
        + "]>"
    )
    workbook = parts["xl/workbook.xml"].decode().split("?>", 1)[-1]
    put(
        "billion-laughs sheet (.xlsx)",
        "sheet",
        zipped(
            {**parts, "xl/workbook.xml": laughs + workbook.replace("/>", ' x="&j;"/>', 1)}.items()
        ),
        "refused",
        "laughs.xlsx",
    )
    put(f"{rows:,}-row sheet (.xlsx)", "sheet", sheet_rows(rows), "read", "rows.xlsx")
    # 20,000 × 12 cells of 18 characters, written as character references: 44 MB of XML
    cell = "某" * 18
    put(
        f"{rows:,}-row sheet, every cell {len(cell)} characters (.xlsx)",
        "sheet",
        sheet_rows(rows, cell),
        "read",
        "full-rows.xlsx",
    )
    pdf = pdf_bomb(sheet_bytes)
    put(
        f"PDF whose page expands to {sheet_bytes >> 20:,} MB of text operators "
        f"({len(pdf) / 1024:.0f} KB .pdf)",
        "letter",
        pdf,
        "refused",
        "bomb.pdf",
    )
    short = b"a\n" * (text_limit // 2 - 1)
    texts = 3 if small else 25
    many = zipped([(f"{i}.txt", short) for i in range(texts)])
    put(
        f"{texts} texts of {len(short) / 1e6:.1f} MB in one-character lines "
        f"({len(many) / 1024:.0f} KB .zip)",
        "letters",
        many,
        "refused",
        "many-lines.zip",
    )
    return inputs


def pdf_file(objects):
    """A PDF of numbered objects (the first is the catalogue), with its cross-reference
    table: enough for a reader to open it. The bomb below and the importer's tests build on
    it."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def pdf_bomb(size, chunk=b"(a) Tj " * (1 << 17)):
    """A one-page PDF whose content stream (FlateDecode) inflates to `size` bytes of text
    operators: the reader must stop at its caps, not inflate or extract it all."""
    import zlib

    packer = zlib.compressobj(9)
    stream = (
        packer.compress(b"BT /F1 12 Tf ")
        + b"".join(packer.compress(chunk) for _ in range(size // len(chunk)))
        + packer.compress(b" ET")
        + packer.flush()
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R"
        b" >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    return pdf_file(objects)


def streamed_zip_append(path, name, head, size, tail, chunk=b"0" * (1 << 20)):
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open(name, "w", force_zip64=True) as out,
    ):
        out.write(head)
        for _ in range(size // len(chunk)):
            out.write(chunk)
        out.write(tail)


# ---- reading one input (in its own process) ----------------------------------------------
def high_water_mb():
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss
    over from the parent across exec, so a child would report the parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def read_one(kind, path):
    from proposals.untrusted import Budget

    data = Path(path).read_bytes()
    name = Path(path).name
    baseline = high_water_mb()
    started, cpu = time.perf_counter(), time.process_time()
    if kind in ("letter", "letters"):
        from responses import importer

        budget = Budget(importer.LETTERS.total, importer.LETTERS.seconds, name)
        previews = importer.previews_of([(name, data)], budget)
        refused = [p["error"] for p in previews if p.get("error")]
        outcome = "refused" if refused and len(refused) == len(previews) else "read"
        detail = refused[0] if refused else f"{len(previews)} letters"
    else:
        from workflow import item_import

        try:
            rows = item_import.read_workbook(data, name)
            outcome, detail = "read", f"{len(rows):,} rows"
        except item_import.WorkbookRefused as exc:
            outcome, detail = "refused", str(exc)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    peak = high_water_mb()
    return {
        "seconds": round(seconds, 3),
        "cpu_s": round(cpu, 3),
        "peak_mb": round(peak, 1),
        "before_mb": round(baseline, 1),
        "outcome": outcome,
        "detail": detail[:120],
    }


def read_in_own_process(kind, path):
    env = {**os.environ}
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    done = subprocess.run(
        [sys.executable, "-m", "bench.parsers", "--one", kind, path],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode:
        return {"seconds": None, "peak_mb": None, "outcome": "crashed",
                "detail": done.stderr.strip().splitlines()[-1][:120]}  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(small=False):
    """Each input in its own process; the CI size reads two at a time (the figures are each
    process's own: its CPU time and peak memory)."""
    results = []
    with tempfile.TemporaryDirectory() as folder:
        inputs = build(Path(folder), small)
        with ThreadPoolExecutor(max_workers=2 if small else 1) as pool:
            figures = pool.map(lambda i: read_in_own_process(i[1], i[2]), inputs)
            for (name, kind, path, expected), figure in zip(inputs, figures, strict=True):
                figure.update(
                    name=name, kind=kind, expected=expected, size=Path(path).stat().st_size
                )
                # The target is judged on CPU time: on a shared machine the wall clock
                # measures the neighbours too (both are printed).
                figure["within_target"] = (
                    figure["outcome"] == expected
                    and figure["seconds"] is not None
                    and figure["cpu_s"] <= TARGET_SECONDS
                    and figure["peak_mb"] <= TARGET_MB
                )
                results.append(figure)
    return results


def table(results):
    lines = [
        f"| input | parser | outcome | CPU time (wall) | peak memory | target ≤ {TARGET_SECONDS:g}"
        f" s, ≤ {TARGET_MB} MB |",
        "|---|---|---|---|---|---|",
    ]
    parsers = {"letter": "letter import", "letters": "letter import", "sheet": "Excel import"}
    for r in results:
        outcome = (
            r["outcome"]
            if r["outcome"] == r["expected"]
            else f"{r['outcome']} (expected {r['expected']})"
        )
        lines.append(
            f"| {r['name']} | {parsers[r['kind']]} | {outcome}: {r['detail']} | "
            f"{r.get('cpu_s')} s ({r['seconds']} s) | "
            f"{r['peak_mb']} MB ({r.get('before_mb')} MB before reading) | "
            f"{'yes' if r['within_target'] else 'NO'} |"
        )
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--one", nargs=2, metavar=("KIND", "FILE"))
    args = parser.parse_args()
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    if args.one:
        print(json.dumps(read_one(*args.one), ensure_ascii=False))
        return
    results = measure(args.small)
    sys.stdout.write(json.dumps(results, ensure_ascii=False) if args.json else table(results))


if __name__ == "__main__":
    main()
