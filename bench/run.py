"""`make bench`: a fresh PostgreSQL database, the generated data, then every benchmark; the
figures go to bench/results/bench.json and bench/results/bench.md.

    make bench                        scale 1: 300,000 items, 1,000,000 assignments
    make bench BENCH_ARGS="--scale 0.01"   a smoke run (CI runs this size)
"""

import argparse
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def step(*args, env):
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"bench step failed: {' '.join(args)}")
    return done.stdout


def fresh_database(name):
    import psycopg2

    connection = psycopg2.connect(f"{SERVER}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        cursor.execute(f"CREATE DATABASE {name}")
    connection.close()


def collect(scale, runs, name, out, static_root=None):
    """Every figure. `static_root`: static files already collected (the tests' smoke run
    shares one collection); by default they are collected afresh."""
    env = {**os.environ, "DATABASE_URL": f"{SERVER}/{name}"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    fresh_database(name)
    step("manage.py", "migrate", "-v0", env=env)
    if static_root:
        env["STATIC_ROOT"] = str(static_root)
    else:
        step("manage.py", "collectstatic", "--noinput", "-v0", env=env)
    report = {"when": datetime.now().isoformat(timespec="seconds"), "scale": scale}
    report["generate"] = step("-m", "bench.generate", "--scale", str(scale), env=env).strip()
    # the statistics page's stored figures, built before the page is measured
    report["figures"] = json.loads(step("-m", "bench.figures", env=env))
    report["pages"] = json.loads(step("-m", "bench.measure", "--runs", str(runs), env=env))
    report["sweep"] = json.loads(step("-m", "bench.sweep", env=env))
    report["commitment_sweep"] = json.loads(step("-m", "bench.commitment_sweep", env=env))
    rows = 10_000 if scale >= 0.1 else 500
    report["import"] = json.loads(step("-m", "bench.item_import", str(rows), env=env))
    each = 250 if scale >= 0.1 else 20
    report["numbering"] = json.loads(step("-m", "bench.numbering", "8", str(each), env=env))
    small = [] if scale >= 0.1 else ["--small"]
    report["parsers"] = json.loads(step("-m", "bench.parsers", "--json", *small, env=env))
    report["letters"] = json.loads(step("-m", "bench.letters", "--json", *small, env=env))
    report["letter_accuracy"] = json.loads(step("-m", "bench.letter_accuracy", "--json", env=env))
    seconds = "20" if scale >= 0.1 else "1"
    report["http"] = json.loads(step("-m", "bench.http_load", seconds, "8", env=env))
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    (out / "bench.md").write_text(table(report))
    return report


def commitment_rows(sweep):
    first, second = sweep["first"], sweep["second"]
    return [
        f"| commitment reminder sweep, first run ({sweep['tracked']:,} tracked of "
        f"{sweep['commitments']:,} commitments; {sweep['reminders']:,} reminders, "
        f"{sweep['digests']:,} digests and notices) | {first['seconds']} s | | "
        f"{first['queries']} | {sweep['lower_bound_s']} s ({sweep['lower_bound_rows']:,} rows) "
        f"| {sweep['ratio']}× | ≤ 5 s |",
        f"| commitment reminder sweep, second run | {second['seconds']} s "
        f"(median of 3: {sweep['second_median_s']} s) | | {second['queries']} | | | "
        f"{second['sent']} sent (target 0) |",
    ]


def table(report):
    """The Markdown table: every figure with its lower bound and the ratio between them."""
    lines = [
        f"Scale {report['scale']} ({report['generate']}), {report['when']}.",
        "",
        "| figure | median | p95 | queries | lower bound | ratio | target |",
        "|---|---|---|---|---|---|---|",
    ]
    targets = {
        "overdue monitor": "p95 ≤ 100 ms, ≤ 10 queries",
        "clerk inbox": "p95 ≤ 50 ms, ≤ 12 queries",
        "leader queue": "p95 ≤ 50 ms, ≤ 12 queries",
        "public search": "p95 ≤ 150 ms",
        "similar": "p95 ≤ 150 ms",
        "office search": "p95 ≤ 150 ms",
        "statistics page": "p95 ≤ 300 ms",
    }
    for page in report["pages"]:
        target = next((t for k, t in targets.items() if page["name"].startswith(k)), "")
        lines.append(
            f"| {page['name']} | {page['median_ms']} ms | {page['p95_ms']} ms | "
            f"{page['queries']} | {page['lower_bound_ms']} ms | {page['ratio']}× | {target} |"
        )
    sweep = report["sweep"]
    first, second = sweep["first"], sweep["second"]
    lines += [
        f"| reminder sweep, first run ({sweep['open_assignments']:,} open of "
        f"{sweep['all_assignments']:,}; {sweep['reminders']:,} reminders, "
        f"{sweep['digests']:,} digests and notices) | {first['seconds']} s | | "
        f"{first['queries']} | "
        f"{sweep['lower_bound_s']} s ({sweep['lower_bound_rows']:,} rows) | {sweep['ratio']}× | "
        "≤ 10 s, ≤ 3× |",
        f"| reminder sweep, second run | {second['seconds']} s "
        f"(median of 3: {sweep['second_median_s']} s) | | {second['queries']} | | | "
        f"{second['sent']} sent (target 0) |",
        f"| sweep worker peak memory | {sweep['peak_rss_mb']} MB | | | | | ≤ 300 MB |",
        *commitment_rows(report["commitment_sweep"]),
    ]
    lines += figures_lines(report["figures"])
    imp = report["import"]
    lines.append(
        f"| Excel import of {imp['rows']:,} rows (read {imp['read_s']} s, check {imp['check_s']} s"
        f" in {imp['check_queries']} queries, save {imp['save_s']} s in {imp['save_queries']}"
        f" queries) | {imp['total_s']} s | | | {imp['lower_bound_s']} s | {imp['ratio']}× "
        "| ≤ 20 s |"
    )
    num = report["numbering"]
    lines.append(
        f"| document numbers, {num['workers']} concurrent workers ({num['numbers']:,} numbers, "
        f"{num['duplicates']} duplicates, {num['gaps_or_strays']} gaps) | {num['seconds']} s "
        f"({num['per_second']}/s) | | | {num['lower_bound_s']} s | {num['ratio']}× | no gaps |"
    )
    http = report["http"]
    inbox, floor = http["inbox"], http["static_floor"]
    lines += [
        f"| HTTP inbox, gunicorn {http['workers']} workers, {http['threads']} clients, "
        f"{http['seconds']} s ({inbox['requests']:,} requests, {inbox['failures']} failed) | "
        f"{inbox['median_ms']} ms ({inbox['per_second']} req/s) | {inbox['p95_ms']} ms | | "
        f"static file {floor['per_second']} req/s | {http['ratio']}× | |",
        f"| web worker memory after the load run | {max(http['worker_rss_mb'], default=0)} MB"
        " (largest) | | | | | ≤ 250 MB |",
    ]
    from bench import letter_accuracy, letters, parsers

    lines += ["", "Letters (seed 000; own SQLite database, `python -m bench.letters`):", ""]
    lines.append(letters.table(report["letters"]).rstrip("\n"))

    lines += ["", "Past letters read by the importer (`python -m bench.letter_accuracy`):", ""]
    lines.append(letter_accuracy.table(report["letter_accuracy"]).rstrip("\n"))

    lines += ["", "Uploaded files, worst inputs (each read in its own process):", ""]
    lines.append(parsers.table(report["parsers"]).rstrip("\n"))
    return "\n".join(lines) + "\n"


def figures_lines(figures):
    """The stored statistics figures: rebuild, refreshes, and the check against the count."""
    rebuild, changed, check = figures["rebuild"], figures["refresh_100"], figures["check"]
    rows = sum(figures["rows"].values())
    return [
        f"| statistics figures, rebuild from nothing ({rebuild['sessions']} sessions, "
        f"{rows:,} rows) | {rebuild['seconds']} s | | {rebuild['queries']} | | | |",
        f"| statistics figures, refresh with nothing changed | {figures['quiet_refresh_s']} s "
        f"| | {figures['quiet_refresh_queries']} | | | every minute |",
        f"| statistics figures, refresh after {changed['items']} items changed "
        f"({changed['pairs']} session·unit pairs) | {changed['seconds']} s | | "
        f"{changed['queries']} | | | < 60 s |",
        f"| statistics, latest year: stored figures = direct count "
        f"({check['stored_s']} s against {check['direct_s']} s) | {check['same']} | | | | | "
        "True |",
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE", "banli_bench"))
    args = parser.parse_args()
    report = collect(args.scale, args.runs, args.database, RESULTS)
    sys.stdout.write(table(report))


if __name__ == "__main__":
    main()
