"""The page and query measurements of `make bench`: each figure is the median and p95 of
repeated runs in this process, the number of SQL queries, and the lower bound: the same
answer computed by one hand-written SQL statement, timed in the same run.

    DATABASE_URL=postgres://…/banli_bench python -m bench.measure [--runs 20]
"""

import argparse
import json
import os
import statistics
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402

from proposals.models import User  # noqa: E402
from workflow import second_factor  # noqa: E402
from workflow.models import Assignment, UnitMembership  # noqa: E402
from workflow.roles import must_use_second_factor  # noqa: E402

OPEN = "('pending', 'accepted', 'transfer_requested', 'reopened')"


def percentiles(times):
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return round(statistics.median(ordered), 1), round(p95, 1)


def timed(call, runs):
    """Median and p95 in ms of `call()`, after one warm-up; the queries of the last run."""
    call()
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
    median, p95 = percentiles(times)
    return {"median_ms": median, "p95_ms": p95, "queries": len(queries)}


def lower_bound(sql, params, runs):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return timed(run, runs)["median_ms"]


def figure(name, measured, bound_ms, bound_sql):
    ratio = round(measured["median_ms"] / bound_ms, 1) if bound_ms else None
    return {"name": name, **measured, "lower_bound_ms": bound_ms, "ratio": ratio, "sql": bound_sql}


def page(user, url):
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    if must_use_second_factor(user):  # the office: as after typing its authenticator's code
        device, _codes = second_factor.demo_device(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()

    def get():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return get


def largest_unit():
    return (
        Assignment.objects.values("unit_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()["unit_id"]
    )


def measure(runs):
    unit_id = largest_unit()
    clerk = User.objects.get(
        pk=UnitMembership.objects.filter(unit_id=unit_id, role="clerk").values("user_id")[:1]
    )
    leader = User.objects.get(
        pk=UnitMembership.objects.filter(unit_id=unit_id, role="leader").values("user_id")[:1]
    )
    office = User.objects.filter(office_memberships__isnull=False).first()
    figures = []

    monitor_sql = f"""
        SELECT unit_id, count(*) FILTER (WHERE due_on < current_date) AS overdue,
               count(*) FILTER (WHERE due_on BETWEEN current_date AND current_date + 7) AS soon,
               count(*) AS open
        FROM workflow_assignment WHERE state IN {OPEN} GROUP BY unit_id"""
    figures.append(
        figure(
            "overdue monitor (counts by unit and band + first page)",
            timed(page(office, "/office/monitor/"), runs),
            lower_bound(monitor_sql, [], runs),
            monitor_sql,
        )
    )
    inbox_sql = f"""
        SELECT a.id, a.due_on, a.role, a.state, p.number, p.title, s.name, u.name
        FROM workflow_assignment a JOIN proposals_proposal p ON p.id = a.proposal_id
        JOIN proposals_session s ON s.id = p.session_id JOIN workflow_unit u ON u.id = a.unit_id
        WHERE a.unit_id = %s AND a.state IN {OPEN} ORDER BY a.due_on, a.id LIMIT 25"""
    figures.append(
        figure(
            "clerk inbox, largest unit",
            timed(page(clerk, "/work/"), runs),
            lower_bound(inbox_sql, [unit_id], runs),
            inbox_sql,
        )
    )
    queue_sql = """
        SELECT r.id, r.title, r.submitted_at, p.number, p.title
        FROM responses_reply r JOIN workflow_assignment a ON a.id = r.assignment_id
        JOIN proposals_proposal p ON p.id = a.proposal_id
        WHERE a.unit_id = %s AND r.state = 'submitted' ORDER BY r.submitted_at"""
    figures.append(
        figure(
            "leader queue, largest unit",
            timed(page(leader, "/review/"), runs),
            lower_bound(queue_sql, [unit_id], runs),
            queue_sql,
        )
    )
    stats_sql = f"""
        SELECT a.unit_id, count(*), count(*) FILTER (WHERE a.state IN {OPEN}
               AND a.due_on < current_date),
               count(r.id) FILTER (WHERE r.result_bucket = 'solved')
        FROM workflow_assignment a JOIN proposals_proposal p ON p.id = a.proposal_id
        JOIN proposals_session s ON s.id = p.session_id
        LEFT JOIN responses_reply r ON r.assignment_id = a.id AND r.round = a.round
             AND r.kind = 'reply'
        WHERE s.year = (SELECT max(year) FROM proposals_session) AND a.state <> 'transferred'
        GROUP BY a.unit_id"""
    figures.append(
        figure(
            "statistics page, latest year",
            timed(page(office, "/office/statistics/"), runs),  # stored figures: as many runs
            lower_bound(stats_sql, [], max(3, runs // 4)),
            stats_sql,
        )
    )
    figures.extend(search_figures(office, runs))
    return figures


def search_figures(office, runs):
    """Public search, the office's search and the similar-case lookup."""
    from bench import search as search_bench

    return search_bench.figures(office, runs, timed, lower_bound, figure, page)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    json.dump(measure(args.runs), sys.stdout, indent=1, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
