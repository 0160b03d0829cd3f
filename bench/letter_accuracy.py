"""How well the importer reads real reply letters: over `tests/fixtures/letters/*.txt`, each
letter's fields as `importer.summary` gives them (the same keys `manage.py import_letters
--json` prints) against the `expected` fields written by hand in its `.json`.

    python -m bench.letter_accuracy           the table, then every wrong or missing value
    python -m bench.letter_accuracy --json    the figures as JSON (bench/run.py uses this)

Per field: right, wrong (a value other than the letter's, including a value where the letter
has none), missing (none where the letter has one). Targets (issue 19): ≥ 95 % of all fields
right, ≥ 90 % of letters with every field right (27 of 30), wrong ≤ 1 %: a wrong document
number or proposer is worse than none.
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "letters"
FIELDS = (
    "doc_number", "classification", "kind", "session", "item_number", "title",
    "addressee_names", "date", "signing_organ", "signer", "contact_person", "contact_phone",
    "cc",
)  # fmt: skip
TARGETS = {"right": 0.95, "wrong": 0.01, "letters_all_right": 0.9}


def empty(value):
    return value is None or value == [] or value == ""


def verdict(expected, got):
    if empty(expected) and empty(got):
        return "right"
    if empty(got):
        return "missing"
    return "right" if expected == got else "wrong"


def measure(folder=CORPUS):
    from responses import importer

    fields = {name: {"right": 0, "wrong": 0, "missing": 0} for name in FIELDS}
    errors, letters, all_right = [], 0, 0
    for text_file in sorted(Path(folder).glob("*.txt")):
        expected_file = text_file.with_suffix(".json")
        if not expected_file.exists():
            continue
        expected = json.loads(expected_file.read_text(encoding="utf-8"))["expected"]
        got = importer.summary(importer.parse(text_file.read_text(encoding="utf-8")))
        letters += 1
        flawless = True
        for name in FIELDS:
            outcome = verdict(expected.get(name), got.get(name))
            fields[name][outcome] += 1
            if outcome != "right":
                flawless = False
                errors.append(
                    {
                        "file": text_file.name,
                        "field": name,
                        "outcome": outcome,
                        "expected": expected.get(name),
                        "got": got.get(name),
                    }
                )
        all_right += flawless
    total = {key: sum(f[key] for f in fields.values()) for key in ("right", "wrong", "missing")}
    count = sum(total.values()) or 1
    return {
        "letters": letters,
        "letters_all_right": all_right,
        "fields": fields,
        "total": total,
        "right_share": round(total["right"] / count, 4),
        "wrong_share": round(total["wrong"] / count, 4),
        "all_right_share": round(all_right / (letters or 1), 4),
        "errors": errors,
    }


def meets_targets(report):
    return (
        report["right_share"] >= TARGETS["right"]
        and report["wrong_share"] <= TARGETS["wrong"]
        and report["all_right_share"] >= TARGETS["letters_all_right"]
    )


def table(report):
    lines = ["| field | right | wrong | missing |", "|---|---|---|---|"]
    for name, counts in report["fields"].items():
        lines.append(f"| {name} | {counts['right']} | {counts['wrong']} | {counts['missing']} |")
    total = report["total"]
    lines.append(
        f"| **total** | {total['right']} ({report['right_share']:.1%}) | {total['wrong']} "
        f"({report['wrong_share']:.1%}) | {total['missing']} |"
    )
    lines += [
        "",
        f"{report['letters_all_right']} of {report['letters']} letters with every field right "
        f"({report['all_right_share']:.0%}). Targets: ≥ 95 % right, wrong ≤ 1 %, ≥ 90 % of "
        f"letters all right: {'met' if meets_targets(report) else 'not met'}.",
    ]
    return "\n".join(lines) + "\n"


def listing(report):
    lines = []
    for error in report["errors"]:
        expected = json.dumps(error["expected"], ensure_ascii=False)
        got = json.dumps(error["got"], ensure_ascii=False)
        lines.append(
            f"{error['outcome']:7} {error['file']} {error['field']}: expected {expected}, got {got}"
        )
    return "\n".join(lines) + ("\n" if lines else "")


def main():
    import django

    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    parser.add_argument("folder", nargs="?", default=str(CORPUS))
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    report = measure(args.folder)
    if args.json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write(table(report) + "\n" + listing(report))


if __name__ == "__main__":
    main()
