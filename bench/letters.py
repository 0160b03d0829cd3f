"""Seed letter 000 rendered, signed and verified: PDF cold (the first render in a fresh
process: WeasyPrint and Banli's faces load) and warm, DOCX, signing (PAdES with the seal's
appearance) and verification (/verify/'s function on the signed file). No server needed: the
database is a throwaway SQLite file in a temporary folder.

    python -m bench.letters           the table
    python -m bench.letters --json    the figures as JSON (bench/run.py uses this)

Also a 12-page letter (the seed's body repeated) warm to PDF and DOCX, and the resident
memory of this process after rendering and sealing 100 letters, as a worker would.

Targets (issue 18): PDF ≤ 1 s warm and ≤ 3 s cold, DOCX ≤ 0.2 s, verification ≤ 0.5 s, a
worker that has frozen 100 letters under 300 MB resident.
"""

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
SEED = "000"
RUNS = 5
LONG_RUNS = 3
LIFE = 100  # letters a worker renders and seals before its memory is read
LONG_PAGES = 12
TARGETS = {
    "pdf_cold": 3.0,
    "pdf_warm": 1.0,
    "docx": 0.2,
    "sign": None,
    "verify": 0.5,
    "verify_altered": 0.5,
    "long_pdf_warm": 1.0,
    "long_docx": 0.2,
    "rss_after_100_mb": 300,
}
LABELS = {
    "pdf_cold": "PDF, first render in a fresh process (checked, unsigned)",
    "pdf_warm": "PDF, warm (checked, unsigned)",
    "docx": "DOCX",
    "sign": "signing (seal appearance + PAdES)",
    "verify": "verification of the signed PDF (genuine)",
    "verify_altered": "verification of a copy changed by one byte (altered)",
    "long_pdf_warm": "PDF of a 12-page letter, warm (checked, unsigned)",
    "long_docx": "DOCX of the 12-page letter",
    "rss_after_100_mb": "resident memory after the letters rendered and sealed (MB)",
}


def setup(var_dir):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ["BANLI_VAR_DIR"] = str(var_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{Path(var_dir) / 'bench.sqlite3'}"
    os.environ["FREEZE_LETTERS_AT_SENDING"] = "0"
    sys.path.insert(0, str(ROOT))
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    import django

    django.setup()


def seed_letter():
    """Seed 000 as a sent letter (the demo's own code puts it there)."""
    from demo.data import FIXTURES
    from demo.loader import Demo
    from responses.models import Opinion, Reply

    seed = next(
        s
        for s in json.loads((FIXTURES / "seed_letters.json").read_text())["letters"]
        if s["seed"] == SEED
    )
    demo = Demo()
    demo.base()
    demo.seed_letter(seed)
    model = Opinion if seed["letter"] == "opinion" else Reply
    return model.objects.get(title=seed["fields"]["title"])


def resident_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed(call):
    start = time.perf_counter()
    value = call()
    return time.perf_counter() - start, value


def median(call, runs=None):
    return statistics.median(timed(call)[0] for _ in range(runs or RUNS))


def cold(var_dir, pk):
    """In this fresh process: the first PDF render of the letter."""
    setup(var_dir)
    from responses import rendering
    from responses.models import Reply

    letter = Reply.objects.get(pk=pk)
    seconds, _content = timed(lambda: rendering.pdf(letter))
    print(json.dumps({"pdf_cold": round(seconds, 3)}))


def collect():
    with tempfile.TemporaryDirectory(prefix="banli-bench-letters-") as var_dir:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "BANLI_VAR_DIR": var_dir,
            "DATABASE_URL": f"sqlite:///{Path(var_dir) / 'bench.sqlite3'}",
        }
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
        )
        setup(var_dir)
        from django.db import transaction

        from responses import rendering, signing, verification
        from responses.actions import freeze

        with transaction.atomic():
            letter = seed_letter()
        signing.current(letter.assignment.unit)  # the unit's key exists, as after the first
        done = subprocess.run(
            [sys.executable, "-m", "bench.letters", "--cold", var_dir, str(letter.pk)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        rendering.pdf(letter)  # warm up this process
        figures["pdf_warm"] = median(lambda: rendering.pdf(letter))
        figures["docx"] = median(lambda: rendering.docx(letter))
        sealer = signing.sealer(letter)
        config, sheets = rendering._print_setup()
        from django.conf import settings
        from weasyprint import HTML

        document = HTML(string=rendering.html(letter), base_url=str(settings.BASE_DIR)).render(
            stylesheets=sheets, font_config=config
        )
        unsigned = document.write_pdf()
        figures["sign"] = median(lambda: sealer(unsigned, document))
        signed = bytes(freeze(letter)["pdf"].content)
        verdict = verification.verify_pdf(signed)
        assert verdict.genuine, verdict.message
        figures["verify"] = median(lambda: verification.verify_pdf(signed))
        at = signed.index(b"WeasyPrint")
        altered = signed[:at] + b"w" + signed[at + 1 :]  # one byte: no stored hash matches
        assert verification.verify_pdf(altered).status == verification.Status.ALTERED
        figures["verify_altered"] = median(lambda: verification.verify_pdf(altered))
        figures["pages"] = len(document.pages)
        # A long reply: the seed's body repeated until the letter runs to 12 pages. Repeating
        # the body n times makes at most n times the pages, so fewer repeats than 12 / pages
        # cannot reach 12: they are not rendered.
        body, pages = letter.body, 0
        first = max(2, -(-LONG_PAGES // len(document.pages)))
        for times in range(first, first + LONG_PAGES):
            letter.body = "\n".join([body] * times)
            pages = len(PdfReader(BytesIO(rendering.pdf(letter))).pages)
            if pages >= LONG_PAGES:
                break
        figures["long_pages"] = pages
        figures["long_pdf_warm"] = median(lambda: rendering.pdf(letter), runs=LONG_RUNS)
        figures["long_docx"] = median(lambda: rendering.docx(letter), runs=LONG_RUNS)
        letter.body = body
        # A worker's life: 100 letters rendered (checked) and sealed in one process.
        for _ in range(LIFE):
            sealer(rendering.pdf(letter), document)
        figures["rss_after_100_mb"] = resident_mb()
        figures["letters_sealed"] = LIFE
        figures["runs"], figures["long_runs"] = RUNS, LONG_RUNS
        figures["signed_bytes"] = len(signed)
        figures["unsigned_bytes"] = len(unsigned)
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}


def table(figures):
    lines = ["| seed 000 | figure | target |", "|---|---|---|"]
    for key, label in LABELS.items():
        target, unit = TARGETS[key], "" if key.endswith("_mb") else " s"
        mark = (
            ""
            if target is None
            else f"≤ {target}{unit}" + (" ✓" if figures[key] <= target else " ✗")
        )
        lines.append(f"| {label} | {figures[key]} | {mark} |")
    lines.append(
        f"\n{figures['pages']} page(s); PDF {figures['unsigned_bytes']:,} bytes unsigned, "
        f"{figures['signed_bytes']:,} signed; the long letter has {figures['long_pages']} pages. "
        f"Warm figures are medians of {figures.get('runs', RUNS)} "
        f"({figures.get('long_runs', LONG_RUNS)} for the long letter); memory after "
        f"{figures['letters_sealed']} letters."
    )
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--cold", nargs=2, metavar=("VAR_DIR", "PK"))
    parser.add_argument("--small", action="store_true", help="CI: one run each, 2 letters")
    args = parser.parse_args()
    if args.small:  # every figure still produced; a render costs seconds on two cores
        global RUNS, LONG_RUNS, LIFE
        RUNS, LONG_RUNS, LIFE = 1, 1, 2
    if args.cold:
        cold(*args.cold)
        return
    figures = collect()
    sys.stdout.write(json.dumps(figures) + "\n" if args.json else table(figures))


if __name__ == "__main__":
    main()
