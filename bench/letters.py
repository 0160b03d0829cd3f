"""Seed letter 000 rendered, signed and verified: PDF cold (the first render in a fresh
process: WeasyPrint and Banli's faces load) and warm, DOCX, signing (PAdES with the seal's
appearance) and verification (/verify/'s function on the signed file). No server needed: the
database is a throwaway SQLite file in a temporary folder.

    python -m bench.letters           the table
    python -m bench.letters --json    the figures as JSON (bench/run.py uses this)

Targets (issue 18): PDF ≤ 1 s warm and ≤ 3 s cold, DOCX ≤ 0.2 s, verification ≤ 0.5 s.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = "000"
RUNS = 5
TARGETS = {
    "pdf_cold": 3.0,
    "pdf_warm": 1.0,
    "docx": 0.2,
    "sign": None,
    "verify": 0.5,
    "verify_altered": 0.5,
}
LABELS = {
    "pdf_cold": "PDF, first render in a fresh process (checked, unsigned)",
    "pdf_warm": "PDF, warm (checked, unsigned)",
    "docx": "DOCX",
    "sign": "signing (seal appearance + PAdES)",
    "verify": "verification of the signed PDF (genuine)",
    "verify_altered": "verification of a copy changed by one byte (altered)",
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
    from responses.demo import FIXTURES, Demo
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


def timed(call):
    start = time.perf_counter()
    value = call()
    return time.perf_counter() - start, value


def median(call, runs=RUNS):
    return statistics.median(timed(call)[0] for _ in range(runs))


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

        from responses import actions, rendering, signing, verification

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
        signed = bytes(actions.freeze(letter)["pdf"].content)
        verdict = verification.verify_pdf(signed)
        assert verdict.genuine, verdict.message
        figures["verify"] = median(lambda: verification.verify_pdf(signed))
        at = signed.index(b"WeasyPrint")
        altered = signed[:at] + b"w" + signed[at + 1 :]  # one byte: no stored hash matches
        assert verification.verify_pdf(altered).status == verification.Status.ALTERED
        figures["verify_altered"] = median(lambda: verification.verify_pdf(altered))
        figures["pages"] = len(document.pages)
        figures["signed_bytes"] = len(signed)
        figures["unsigned_bytes"] = len(unsigned)
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}


def table(figures):
    lines = ["| seed 000 | seconds | target |", "|---|---|---|"]
    for key, label in LABELS.items():
        target = TARGETS[key]
        mark = (
            "" if target is None else f"≤ {target} s" + (" ✓" if figures[key] <= target else " ✗")
        )
        lines.append(f"| {label} | {figures[key]} | {mark} |")
    lines.append(
        f"\n{figures['pages']} page(s); PDF {figures['unsigned_bytes']:,} bytes unsigned, "
        f"{figures['signed_bytes']:,} signed. Warm figures are medians of {RUNS}."
    )
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--cold", nargs=2, metavar=("VAR_DIR", "PK"))
    args = parser.parse_args()
    if args.cold:
        cold(*args.cold)
        return
    figures = collect()
    sys.stdout.write(json.dumps(figures) + "\n" if args.json else table(figures))


if __name__ == "__main__":
    main()
