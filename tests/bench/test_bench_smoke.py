"""`make bench` at a small scale, so the suite cannot rot: every figure is produced and the
correctness figures hold (timings are printed, never asserted)."""

import pytest

from bench import run
from tests.services import require_postgres

pytestmark = [pytest.mark.services, pytest.mark.django_db]


def test_the_benchmark_suite_runs_end_to_end(tmp_path, capsys, request):
    require_postgres()
    static = request.getfixturevalue("collected_static")  # shared with the other gunicorn tests
    report = run.collect(0.003, runs=2, name="banli_benchsmoke", out=tmp_path, static_root=static)
    names = [page["name"] for page in report["pages"]]
    assert any(n.startswith("overdue monitor") for n in names)
    assert any(n.startswith("clerk inbox") for n in names)
    assert report["sweep"]["first"]["sent"] > 0 and report["sweep"]["second"]["sent"] == 0
    commitments = report["commitment_sweep"]
    assert commitments["first"]["sent"] > 0 and commitments["second"]["sent"] == 0
    assert report["import"]["saved"] == report["import"]["rows"]
    assert report["figures"]["check"]["same"]  # stored statistics = the direct count
    numbers = report["numbering"]
    assert numbers["duplicates"] == 0 and numbers["gaps_or_strays"] == 0
    assert report["http"]["inbox"]["requests"] > 0 and report["http"]["inbox"]["failures"] == 0
    parsed = report["parsers"]  # the worst uploads: each refused or read as expected, never a crash
    assert len(parsed) >= 7 and all(r["outcome"] == r["expected"] for r in parsed)
    letters = report["letters"]  # seed 000 rendered, signed and verified
    assert {"pdf_cold", "pdf_warm", "docx", "sign", "verify", "verify_altered"} <= set(letters)
    assert letters["long_pages"] >= 12 and letters["rss_after_100_mb"] > 0
    table = (tmp_path / "bench.md").read_text()
    assert "| PDF, warm" in table and "| verification of the signed PDF" in table
    assert "| nested zip" in table
    assert "| commitment reminder sweep, second run" in table
    assert "| reminder sweep, first run" in table and "×" in table
    with capsys.disabled():
        print("\n" + table)
