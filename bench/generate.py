"""Fill a PostgreSQL database fast with realistic handling data (COPY, streamed in chunks).

    DATABASE_URL=postgres://…/banli_bench python -m bench.generate --assignments 1000000

The data obeys the model's constraints (one lead per item, a unit once per item) and spreads
deadlines from four months overdue to three months ahead, so the reminder ladder, the overdue
monitor and the inboxes all have work at every scale.
"""

import argparse
import io
import os
import random
import time
from datetime import UTC, date, datetime, timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from proposals.models import Jurisdiction, Session, User  # noqa: E402
from workflow import actions  # noqa: E402
from workflow.models import Unit, UnitMembership  # noqa: E402

UNITS = 300
CHUNK = 50_000


def copy(table, columns, rows):
    """COPY rows into a table, CHUNK rows at a time; returns the count."""
    total, buffer = 0, io.StringIO()
    with connection.cursor() as cursor:
        for row in rows:
            buffer.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
            total += 1
            if total % CHUNK == 0:
                buffer.seek(0)
                cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)
                buffer = io.StringIO()
        buffer.seek(0)
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)
    return total


def base(units=UNITS):
    where, _ = Jurisdiction.objects.get_or_create(name="基准市", defaults={"level": "city"})
    sessions = [
        Session.objects.get_or_create(
            jurisdiction=where, body=body, term=14, meeting=m, defaults={"year": 2020 + m}
        )[0]
        for body in ("cppcc", "npc")
        for m in range(1, 6)
    ]
    password = make_password("bench-Banli-2024")
    made = []
    for i in range(units):
        unit, created = Unit.objects.get_or_create(
            jurisdiction=where, name=f"基准单位{i:03d}", defaults={"organ_code": f"基{i:03d}"}
        )
        if created:
            for role in ("clerk", "leader"):
                user = User.objects.create(username=f"b{i:03d}-{role}", password=password)
                UnitMembership.objects.create(user=user, unit=unit, role=role)
        made.append(unit)
    for n in range(3):
        office, _ = User.objects.get_or_create(
            username=f"bench-office{n}", defaults={"password": password}
        )
        actions.add_office_member(office, where)
    return where, sessions, made


def generate(assignments, seed=2026):
    rng = random.Random(seed)
    where, sessions, units = base()
    today = date.today()
    start = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM proposals_proposal")
        first_id = cursor.fetchone()[0] + 1
    items = assignments * 10 // 33  # about 3.3 units per item, as national bodies see
    now = datetime.now(UTC)

    def proposals():
        for i in range(items):
            session = sessions[i % len(sessions)]
            kind = "proposal" if session.body == "cppcc" else "suggestion"
            yield (
                first_id + i,
                kind,
                session.pk,
                f"B{first_id + i}",
                f"关于基准测试第{i}项工作的建议",
                "正文",
                "基准",
                "f",
                "",
                now.isoformat(),
                "in_handling",
                1,
                "",
                None,
            )

    copy(
        "proposals_proposal",
        [
            "id",
            "kind",
            "session_id",
            "number",
            "title",
            "body",
            "topic",
            "is_key",
            "supervising_leader",
            "received_at",
            "state",
            "round",
            "review_reason",
            "merged_into_id",
        ],
        proposals(),
    )

    def rows():
        made = 0
        for i in range(items):
            picked = rng.sample(units, 4)
            shape = rng.random()
            roles = ["lead", "co", "co"] + (["co"] if shape < 0.3 else [])
            if shape > 0.9:
                roles = ["separate", "separate", "separate"]
            for unit, role in zip(picked, roles, strict=False):
                if made >= assignments:
                    return
                assigned = today - timedelta(days=rng.randint(0, 200))
                due = assigned + timedelta(days=30 if role == "co" else 91)
                state = rng.choices(["accepted", "pending", "replied", "done"], [55, 10, 15, 20])[0]
                if role == "co" and state == "replied":
                    state = "opinion_sent"
                feedback = (
                    (today + timedelta(days=rng.randint(-10, 20))) if state == "replied" else None
                )
                yield (
                    first_id + i,
                    unit.pk,
                    role,
                    state,
                    1,
                    f"{assigned}T02:00:00+00:00",
                    None,
                    due,
                    "assigned",
                    assigned,
                    1,
                    feedback,
                    assigned + timedelta(days=7),
                    None,
                )
                made += 1

    count = copy(
        "workflow_assignment",
        [
            "proposal_id",
            "unit_id",
            "role",
            "state",
            "round",
            "assigned_at",
            "accepted_at",
            "due_on",
            "due_basis",
            "due_from",
            "due_version",
            "feedback_until",
            "transfer_until",
            "finished_at",
        ],
        rows(),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"items": items, "assignments": count, "seconds": round(time.monotonic() - start, 1)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--assignments", type=int, default=10_000)
    args = parser.parse_args()
    assert connection.vendor == "postgresql", "the benchmark data is for PostgreSQL"
    with transaction.atomic():
        print(generate(args.assignments))


if __name__ == "__main__":
    main()
