"""Excel intake of N rows (default 10,000): building the workbook is not timed; reading,
checking and saving are, each on its own. The save is rolled back afterwards so the benchmark
can run again on the same database.

    DATABASE_URL=postgres://…/banli_bench python -m bench.item_import [rows]
"""

import json
import os
import sys
import time
from datetime import date
from io import BytesIO

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from proposals.models import Jurisdiction, Session, User  # noqa: E402
from workflow import item_import  # noqa: E402
from workflow.actions import add_office_member, import_items  # noqa: E402
from workflow.models import OfficeMembership, Unit  # noqa: E402


class RolledBack(Exception):
    pass


def reference_data():
    """The jurisdiction, a CPPCC session, three units and an office user (made if missing)."""
    where = Jurisdiction.objects.get_or_create(name="基准市", defaults={"level": "city"})[0]
    session = Session.objects.get_or_create(
        jurisdiction=where, body="cppcc", term=9, meeting=9, defaults={"year": 2031}
    )[0]
    units = [
        Unit.objects.get_or_create(
            jurisdiction=where, name=f"基准市第{i}局", defaults={"organ_code": f"基{i}"}
        )[0]
        for i in range(3)
    ]
    office = User.objects.filter(username="bench-import-office").first()
    if office is None:
        office = User.objects.create_user("bench-import-office", password=None)
    if not OfficeMembership.objects.filter(user=office, jurisdiction=where).exists():
        add_office_member(office, where)
    return where, session, units, User.objects.get(pk=office.pk)


def workbook(rows, session, units):
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([str(h) for _k, h, *_ in item_import.COLUMNS])
    for i in range(rows):
        sheet.append(
            [
                "提案",
                str(session),
                f"B{i:06d}",
                f"关于推进第{i}项科技成果转化和产业化的提案",
                f"委员{i % 997}、委员{(i + 1) % 997}、委员{(i + 2) % 997}",
                "建议加大对科技成果转化的支持力度……" * 5,
                "科技",
                "否",
                units[i % 3].name,
                units[(i + 1) % 3].name if i % 3 == 0 else "",
                "",
                date(2031, 3, 5),
            ]
        )
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def run(rows=10000):
    where, session, units, office = reference_data()
    data = workbook(rows, session, units)
    timings = {"rows": rows, "bytes": len(data)}
    started = time.monotonic()
    read = item_import.read_workbook(data)
    timings["read_s"] = round(time.monotonic() - started, 2)
    with CaptureQueriesContext(connection) as queries:
        started = time.monotonic()
        results = item_import.check(read, where)
        timings["check_s"] = round(time.monotonic() - started, 2)
    timings["check_queries"] = len(queries)
    items = [r.item for r in results if r.status == "new"]
    try:
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            started = time.monotonic()
            created = import_items(office, where, items)
            timings["save_s"] = round(time.monotonic() - started, 2)
            timings["saved"] = len(created)
            timings["save_queries"] = len(queries)
            raise RolledBack
    except RolledBack:
        pass
    timings["total_s"] = round(timings["read_s"] + timings["check_s"] + timings["save_s"], 2)
    timings["lower_bound_s"] = lower_bound(rows, session, units)
    timings["ratio"] = round(timings["total_s"] / timings["lower_bound_s"], 1)
    return timings


LOWER_BOUND = """
    WITH items AS (
        INSERT INTO proposals_proposal (kind, session_id, number, title, body, topic, is_key,
            supervising_leader, received_at, state, round, review_reason, search_grams, channel)
        SELECT 'proposal', %(session)s, 'L' || n, '关于推进第' || n || '项科技成果转化的提案',
               repeat('建议加大对科技成果转化的支持力度……', 5), '科技', false, '', now(),
               'assigned', 1, '', '', 'import'
        FROM generate_series(1, %(rows)s) AS n
        RETURNING id),
    pieces AS (
        INSERT INTO proposals_titlepieces (proposal_id, grams) SELECT id, '' FROM items)
    INSERT INTO workflow_assignment (proposal_id, unit_id, role, state, round, assigned_at,
        due_on, due_basis, due_from, due_version)
    SELECT id, %(unit)s, 'lead', 'pending', 1, now(), current_date + 91, 'assigned',
           current_date, 1
    FROM items"""


def lower_bound(rows, session, units):
    """The same rows (items and their lead assignments) written by one statement, without
    reading, checking, proposers or audit rows; rolled back like the import."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            started = time.monotonic()
            cursor.execute(LOWER_BOUND, {"session": session.pk, "rows": rows, "unit": units[0].pk})
            seconds = round(time.monotonic() - started, 2)
            raise RolledBack
    except RolledBack:
        return max(seconds, 0.01)


if __name__ == "__main__":
    json.dump(run(int(sys.argv[1]) if len(sys.argv) > 1 else 10000), sys.stdout, indent=1)
    print()
