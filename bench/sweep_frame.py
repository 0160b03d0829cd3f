"""The frame both reminder-sweep benchmarks share (bench/sweep.py over assignments,
bench/commitment_sweep.py over commitments): each run of a sweep timed with its queries, the
lower bound (the sweep's SELECT into an unindexed temporary table), first run, second run and
three reruns, and the report printed as JSON with the process's peak memory."""

import json
import resource
import statistics
import sys
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext


def peak_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def timed(sweep):
    with CaptureQueriesContext(connection) as queries:
        started = time.monotonic()
        result = sweep()
        seconds = time.monotonic() - started
    return {"seconds": round(seconds, 2), "queries": len(queries), "sent": result["total"]}


def into_temp_table(sql, params, columns, table):
    """Seconds and rows of `sql` run into an unindexed temporary table of `columns` unnamed
    columns (no ledger key to keep, no digests to count): a sweep's lower bound."""
    names = ", ".join(f"c{i}" for i in range(columns))
    with connection.cursor() as cursor:
        started = time.monotonic()
        cursor.execute(f"CREATE TEMP TABLE {table} ({names}) AS {sql}", params)
        seconds = time.monotonic() - started
        cursor.execute(f"SELECT count(*) FROM {table}")
        rows = cursor.fetchone()[0]
        cursor.execute(f"DROP TABLE {table}")
    return round(seconds, 2), rows


def runs(sweep, lower_bound):
    """The bound, then the sweep's first run, its second (that sends nothing) and three
    reruns: the figures both reports hold."""
    bound_s, bound_rows = lower_bound()
    first = timed(sweep)
    second = timed(sweep)
    reruns = [timed(sweep)["seconds"] for _ in range(3)]
    return {
        "first": first,
        "lower_bound_s": bound_s,
        "lower_bound_rows": bound_rows,
        "ratio": round(first["seconds"] / bound_s, 1) if bound_s else None,
        "second": second,
        "second_median_s": statistics.median(reruns),
    }


def emit(report):
    """Print the report as JSON (what bench/run.py reads), with the peak memory."""
    json.dump(report | {"peak_rss_mb": peak_mb()}, sys.stdout, indent=1, ensure_ascii=False)
    print()
