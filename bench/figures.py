"""The statistics page's stored figures (reports/figures.py): the rebuild from nothing, a
refresh with nothing changed (what beat pays every quiet minute), a refresh after 100 items
changed (their log rows written and rolled back afterwards), and whether the stored figures
of the latest year equal the direct count over its assignments.

    DATABASE_URL=postgres://…/banli_bench python -m bench.figures
"""

import json
import os
import statistics
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from proposals.models import Proposal, Session  # noqa: E402
from reports import figures, yearend  # noqa: E402
from reports.models import MonthFigures, OpenByDueDate, UnitFigures  # noqa: E402
from workflow.audit import log  # noqa: E402
from workflow.models import Assignment, OfficeMembership  # noqa: E402


def seconds(call):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = call()
        took = time.perf_counter() - started
    return round(took, 3), len(queries), result


def refresh_after_changes(items):
    """A refresh that finds `items` items changed; everything rolled back afterwards."""
    with transaction.atomic():
        picked = Assignment.objects.order_by("?").values_list("proposal_id", flat=True)[:items]
        for item in Proposal.objects.filter(pk__in=list(picked)):
            log(item, "bench", None, item.state, item.state, "bench.figures")
        took, queries, pairs = seconds(figures.refresh)
        transaction.set_rollback(True)
    return {"items": items, "seconds": took, "queries": queries, "pairs": pairs}


def same_as_direct():
    """The stored figures of the latest year against the direct count (seconds each)."""
    year = Session.objects.order_by("-year").values_list("year", flat=True).first()
    scope = OfficeMembership.objects.values("jurisdiction_id")
    stored_s, _q, stored = seconds(lambda: figures.build_report(scope, {"year": year}))
    direct_s, _q, direct = seconds(lambda: yearend.direct_report(scope, {"year": year}))
    same = (yearend.tables(stored), stored.months) == (yearend.tables(direct), direct.months)
    return {"same": same, "stored_s": stored_s, "direct_s": direct_s}


def measure():
    rebuild_s, rebuild_queries, sessions = seconds(figures.rebuild)
    # as autovacuum would have done in service (generate.py does the same for the rest)
    tables = [m._meta.db_table for m in (UnitFigures, MonthFigures, OpenByDueDate)]
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")
    quiet = [seconds(figures.refresh)[:2] for _ in range(5)]
    return {
        "rebuild": {"seconds": rebuild_s, "queries": rebuild_queries, "sessions": sessions},
        "rows": {m.__name__: m.objects.count() for m in (UnitFigures, MonthFigures, OpenByDueDate)},
        "quiet_refresh_s": statistics.median(s for s, _q in quiet),
        "quiet_refresh_queries": quiet[-1][1],
        "refresh_100": refresh_after_changes(100),
        "check": same_as_direct(),
    }


def main():
    json.dump(measure(), sys.stdout, indent=1, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
