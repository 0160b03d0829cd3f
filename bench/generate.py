"""Fill a PostgreSQL database fast with realistic handling data (COPY, streamed in chunks).

    DATABASE_URL=postgres://…/banli_bench python -m bench.generate --scale 1

Scale 1 is a platform's decade: 300,000 items, 1,000,000 assignments across 300 units and ten
sessions, their replies (published, sent or awaiting signature), 300,000 commitments of the sent
replies, feedback forms and transition logs. The data obeys the model's constraints (one lead
per item, a unit once per item, one reply per round) and spreads deadlines from four months
overdue to three months ahead, so the reminder ladder, the overdue monitor and the inboxes all
have work at every scale. Unit 000 gets a triple share: the "largest unit" whose clerk and
leader pages are measured.
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
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from proposals import bigrams  # noqa: E402
from proposals.models import (  # noqa: E402
    Jurisdiction,
    Proposal,
    ProposalProposer,
    Proposer,
    Session,
    TitlePieces,
    User,
)
from responses.models import Commitment, Feedback, Reply  # noqa: E402
from workflow import auditchain  # noqa: E402
from workflow.actions import add_office_member  # noqa: E402
from workflow.models import Assignment, TransitionLog, Unit, UnitMembership  # noqa: E402

UNITS = 300
CHUNK = 50_000
FULL_ITEMS, FULL_ASSIGNMENTS = 300_000, 1_000_000
FULL_COMMITMENTS = 300_000

# Realistic text for search: each topic has its own vocabulary, so a query finds a slice.
TOPICS = {
    "干细胞": ["干细胞治疗", "临床研究", "细胞制剂", "再生医学", "生物医药产业", "备案管理"],
    "教育": ["课后服务", "中小学", "教师队伍", "职业教育", "学前教育", "双减政策"],
    "养老": ["居家养老", "长期护理保险", "养老服务机构", "老年助餐", "适老化改造", "社区嵌入式"],
    "交通": ["公共交通", "停车难", "非机动车", "轨道交通", "道路拥堵", "慢行系统"],
    "医疗": ["基层医疗", "家庭医生", "医保支付", "分级诊疗", "公立医院", "药品集采"],
    "营商环境": ["中小企业", "融资难", "行政审批", "一网通办", "政务服务", "民营经济"],
    "生态环境": ["垃圾分类", "河道治理", "大气污染", "碳达峰", "绿色低碳", "生态补偿"],
    "住房": ["保障性住房", "旧区改造", "租赁住房", "物业管理", "加装电梯", "城市更新"],
    "科技创新": ["科技成果转化", "人工智能", "集成电路", "知识产权", "科创企业", "人才引进"],
    "农业农村": ["乡村振兴", "高标准农田", "农产品", "农村电商", "宅基地", "种业振兴"],
}
SENTENCES = [
    "建议进一步完善{a}相关政策，加大对{b}的支持力度。",
    "当前{a}仍存在标准不统一、监管不到位等问题，影响{b}健康发展。",
    "建议由相关部门牵头，建立{a}与{b}的协调机制，明确责任分工。",
    "应加快{a}试点，总结经验后在全市推广，并将{b}纳入考核。",
    "建议加大财政投入，优化{a}布局，提升{b}服务水平。",
]


def escape(value):
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def copy_objects(model, rows, given):
    """COPY rows (tuples in the order of `given`) into a model's table; every other column
    takes the model field's default, so a new NOT NULL field never breaks the generator."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.attname in given]
    columns = [f.column for f in fields]
    position = {name: i for i, name in enumerate(given)}
    stamp = datetime.now(UTC)  # auto_now columns have no default of their own
    defaults = {
        f.attname: stamp if getattr(f, "auto_now", False) else f.get_default()
        for f in fields
        if f.attname not in position
    }
    total, buffer = 0, io.StringIO()
    statement = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor:
        for row in rows:
            values = [
                row[position[f.attname]] if f.attname in position else defaults[f.attname]
                for f in fields
            ]
            buffer.write("\t".join(escape(v) for v in values) + "\n")
            total += 1
            if total % CHUNK == 0:
                buffer.seek(0)
                cursor.copy_expert(statement, buffer)
                buffer = io.StringIO()
        buffer.seek(0)
        cursor.copy_expert(statement, buffer)
    return total


def base(units=UNITS):
    where, _ = Jurisdiction.objects.get_or_create(name="基准市", defaults={"level": "city"})
    sessions = [
        Session.objects.get_or_create(
            jurisdiction=where, body=body, term=14, meeting=m, defaults={"year": 2016 + m}
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
        add_office_member(office, where)
    return where, sessions, made


def next_id(model):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {model._meta.db_table}")
        return cursor.fetchone()[0]


def item_text(rng, i):
    topic = list(TOPICS)[i % len(TOPICS)]
    words = TOPICS[topic]
    a, b = rng.sample(words, 2)
    title = f"关于{a}和{b}的建议"
    body = "".join(
        rng.choice(SENTENCES).format(a=rng.choice(words), b=rng.choice(words)) for _ in range(6)
    )
    return topic, title, body


# 承诺事项 of the sent replies, up to three each, in one INSERT … SELECT: due dates spread from
# 400 days past to 400 days ahead, states as a decade would leave them (most still standing).
COMMITMENTS_SQL = """
    INSERT INTO responses_commitment (reply_id, unit_id, what, source_text, due_kind,
        promised_on, due_on, state, position, outcome, outcome_note, delivered_on,
        drop_reason, created_at, updated_at)
    SELECT r.id, a.unit_id, '计划于' || d.due || '前完成第' || g || '项工作', '', 'date',
        d.due, d.due, s.state, g,
        CASE WHEN s.state IN ('delivered', 'partly') THEN s.state ELSE '' END, '',
        CASE WHEN s.state IN ('delivered', 'partly') THEN d.due - 10 END,
        CASE WHEN s.state IN ('drop_requested', 'dropped') THEN '政策调整' ELSE '' END,
        %(now)s, %(now)s
    FROM responses_reply r
    JOIN workflow_assignment a ON a.id = r.assignment_id
    CROSS JOIN generate_series(1, 3) g
    CROSS JOIN LATERAL (
        SELECT CAST(%(today)s AS date)
               + CAST((r.id * 31 + g * 17) %% 800 - 400 AS integer) AS due) d
    CROSS JOIN LATERAL (
        SELECT CASE WHEN h < 70 THEN 'open' WHEN h < 80 THEN 'partly'
                    WHEN h < 85 THEN 'drop_requested' WHEN h < 97 THEN 'delivered'
                    ELSE 'dropped' END AS state
        FROM (SELECT (r.id * 13 + g * 7) %% 100 AS h) x) s
    WHERE r.state IN ('sent', 'published')
    ORDER BY r.id, g
    LIMIT %(wanted)s
"""


def commitments(wanted, today, now):
    with connection.cursor() as cursor:
        cursor.execute(COMMITMENTS_SQL, {"today": today.isoformat(), "now": now, "wanted": wanted})
        return cursor.rowcount


def generate(scale=1.0, seed=2026):
    rng = random.Random(seed)
    where, sessions, units = base()
    leaders = dict(UnitMembership.objects.filter(role="leader").values_list("unit_id", "user_id"))
    clerks = dict(UnitMembership.objects.filter(role="clerk").values_list("unit_id", "user_id"))
    items, wanted = int(FULL_ITEMS * scale), int(FULL_ASSIGNMENTS * scale)
    today, now = date.today(), datetime.now(UTC)
    started, counts = time.monotonic(), {}
    first_item, first_assignment = next_id(Proposal), next_id(Assignment)
    first_reply, first_person = next_id(Reply), next_id(Proposer)
    people = max(items // 60, 50)
    counts["proposers"] = copy_objects(
        Proposer,
        ((first_person + n, "member", f"委员{n}", f"界别{n % 30}") for n in range(people)),
        ["id", "kind", "name", "affiliation"],
    )

    titles = []  # the replies' search pieces include their item's title

    def proposals():
        for i in range(items):
            session = sessions[i % len(sessions)]
            kind = "proposal" if session.body == "cppcc" else "suggestion"
            topic, title, body = item_text(rng, i)
            titles.append(title)
            pieces = bigrams.item_fields(title, body)
            yield (first_item + i, kind, session.pk, str(i + 1), title, body, topic) + (
                "in_handling",
                pieces["search_grams"],
            )

    counts["proposals"] = copy_objects(
        Proposal,
        proposals(),
        ["id", "kind", "session_id", "number", "title", "body", "topic", "state", "search_grams"],
    )
    copy_objects(
        TitlePieces,
        ((first_item + i, bigrams.stored(title)) for i, title in enumerate(titles)),
        ["proposal_id", "grams"],
    )
    counts["signatures"] = copy_objects(
        ProposalProposer,
        ((first_item + i, first_person + i % people, 0) for i in range(items)),
        ["proposal_id", "proposer_id", "position"],
    )

    plan = []  # (assignment id, item index, unit, role, state, assigned day)

    def assignments():
        made = 0
        weights = [3] + [1] * (len(units) - 1)  # unit 000 is the largest
        for i in range(items):
            picked = []
            while len(picked) < 4:
                unit = rng.choices(units, weights)[0]
                if unit not in picked:
                    picked.append(unit)
            shape = rng.random()
            roles = ["lead", "co", "co"] + (["co"] if shape < 0.4 else [])
            if shape > 0.9:
                roles = ["separate", "separate", "separate"]
            for unit, role in zip(picked, roles, strict=False):
                if made >= wanted:
                    return
                assigned = today - timedelta(days=rng.randint(0, 200))
                due = assigned + timedelta(days=30 if role == "co" else 91)
                state = rng.choices(["accepted", "pending", "replied", "done"], [55, 10, 15, 20])[0]
                if role == "co" and state == "replied":
                    state = "opinion_sent"
                feedback = today + timedelta(days=rng.randint(-10, 20))
                accepted = None if state == "pending" else f"{assigned}T06:00:00+00:00"
                aid = first_assignment + made
                plan.append((aid, i, unit.pk, role, state, assigned))
                yield (
                    aid,
                    first_item + i,
                    unit.pk,
                    role,
                    state,
                    f"{assigned}T02:00:00+00:00",
                    accepted,
                    due,
                    assigned,
                    feedback if state == "replied" else None,
                    assigned + timedelta(days=7),
                )
                made += 1

    counts["assignments"] = copy_objects(
        Assignment,
        assignments(),
        ["id", "proposal_id", "unit_id", "role", "state", "assigned_at", "accepted_at"]
        + ["due_on", "due_from", "feedback_until", "transfer_until"],
    )

    replies = []  # (reply id, item index, state)

    def reply_rows():
        for aid, i, unit_id, role, state, assigned in plan:
            writes = role in ("lead", "separate")
            awaiting = state == "accepted" and unit_id == units[0].pk and rng.random() < 0.05
            if not writes or not (state in ("replied", "done") or awaiting):
                continue
            rid = first_reply + len(replies)
            sent = f"{assigned + timedelta(days=60)}T03:00:00+00:00"
            letter_state = "submitted" if awaiting else rng.choice(["published", "sent"])
            bucket, label = rng.choice(
                [("solved", "解决采纳"), ("in_progress", "正在解决"), ("reference", "留作参考")]
            )
            replies.append((rid, i, letter_state))
            title, body = f"对第{i + 1}号的答复", "收悉。现答复如下：" + item_text(rng, i)[2]
            published = letter_state == "published"
            yield (
                rid,
                aid,
                letter_state,
                f"基准单位{unit_id}",
                label,
                bucket,
                title,
                f"委员{i % people}：",
                body,
                None if awaiting else sent,
                None if letter_state != "published" else sent,
                clerks[unit_id],
                None if awaiting else leaders[unit_id],
                f"{assigned + timedelta(days=55)}T03:00:00+00:00",
                bigrams.stored(title, titles[i], body) if published else "",
                bigrams.stored(title, titles[i]) if published else "",
            )

    counts["replies"] = copy_objects(
        Reply,
        reply_rows(),
        ["id", "assignment_id", "state", "signing_organ", "class_label", "result_bucket"]
        + ["title", "addressee", "body", "sent_at", "published_at", "drafted_by_id"]
        + ["signer_id", "submitted_at", "search_grams", "title_grams"],
    )
    counts["feedback"] = copy_objects(
        Feedback,
        (
            (rid, first_person + i % people, rating, rating, "link", now)
            for rid, i, state in replies
            if state != "submitted" and rng.random() < 0.6
            for rating in [rng.choice(["satisfied", "satisfied", "basic", "unsatisfied"])]
        ),
        ["reply_id", "proposer_id", "handling_rating", "result_rating", "channel", "received_at"],
    )
    counts["commitments"] = commitments(int(FULL_COMMITMENTS * scale), today, now)
    assignment_type = ContentType.objects.get_for_model(Assignment).pk

    def logs():
        # Chained as the application chains them (workflow.auditchain): one chain per
        # assignment, so `manage.py verify_audit` finds the benchmark data whole.
        for aid, i, _unit, _role, state, assigned in plan:
            at = datetime.combine(assigned, datetime.min.time(), UTC)
            steps = [("assign", "", "pending")]
            if state != "pending":
                steps.append(("accept", "pending", "accepted"))
            before = ""
            for seq, (name, source, target) in enumerate(steps, 1):
                item = first_item + i
                before = auditchain.digest(
                    before,
                    seq,
                    at,
                    "workflow.assignment",
                    aid,
                    item,
                    None,
                    name,
                    source,
                    target,
                    "",
                )
                yield (assignment_type, aid, item, name, source, target, at, seq, before)

    counts["transition_logs"] = copy_objects(
        TransitionLog,
        logs(),
        [
            "content_type_id",
            "object_id",
            "proposal_id",
            "transition",
            "source",
            "target",
            "at",
            "seq",
            "hash",
        ],
    )
    with connection.cursor() as cursor:
        for model in (Proposal, Assignment, Reply, Proposer, Feedback, TransitionLog, Commitment):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"coalesce(max(id), 1)) FROM {table}"
            )
    counts["seconds"] = round(time.monotonic() - started, 1)
    return counts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=0.01)
    args = parser.parse_args()
    assert connection.vendor == "postgresql", "the benchmark data is for PostgreSQL"
    with transaction.atomic():
        counts = generate(args.scale)
    # A database in service has been through autovacuum; a bulk load has not, and when
    # autovacuum gets to it would decide which figures pay for it. Vacuum once here (hint
    # bits, visibility map, statistics), as a served database would be.
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    counts["vacuum_seconds"] = round(time.monotonic() - started, 1)
    print(counts)


if __name__ == "__main__":
    main()
