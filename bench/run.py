"""`make bench`: a fresh PostgreSQL database, the generated data, then each benchmark; the
figures go to bench/results/ as JSON and a Markdown table.

    BENCH_ASSIGNMENTS=1000000 make bench      (default 1,000,000; CI runs a small smoke size)
"""

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
NAME = os.environ.get("BENCH_DATABASE", "banli_bench")


def run(*args, env):
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def main():
    assignments = int(os.environ.get("BENCH_ASSIGNMENTS", "1000000"))
    env = {
        **os.environ,
        "DATABASE_URL": f"{SERVER}/{NAME}",
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
    }
    admin = {**env, "DATABASE_URL": f"{SERVER}/postgres"}
    run(
        "-c",
        f"import psycopg2; c = psycopg2.connect('{SERVER}/postgres'); c.autocommit = True; "
        f"cur = c.cursor(); cur.execute('DROP DATABASE IF EXISTS {NAME}'); "
        f"cur.execute('CREATE DATABASE {NAME}')",
        env=admin,
    )
    run("manage.py", "migrate", "-v0", env=env)
    generated = run("-m", "bench.generate", "--assignments", str(assignments), env=env)
    sweep = json.loads(run("-m", "bench.sweep", env=env))
    report = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "assignments": assignments,
        "generate": generated.strip(),
        "sweep": sweep,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "sweep.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    first, second = sweep["first"], sweep["second"]
    table = [
        "| figure | value |",
        "|---|---|",
        f"| assignments (open) | {sweep['all_assignments']:,} ({sweep['open_assignments']:,}) |",
        f"| sweep, first run | {first['seconds']} s, {first['queries']} queries, "
        f"{first['sent']:,} reminders |",
        f"| sweep, second run | {second['seconds']} s, {second['queries']} queries, "
        f"{second['sent']} reminders |",
        f"| rows written (ledger + notifications) | {sweep['rows_written']:,} |",
        f"| peak memory of the sweeping process | {sweep['peak_rss_mb']} MB |",
    ]
    (RESULTS / "sweep.md").write_text("\n".join(table) + "\n")
    print("\n".join(table))


if __name__ == "__main__":
    main()
