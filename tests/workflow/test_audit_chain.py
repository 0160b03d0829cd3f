"""The audit trail is tamper-evident: every TransitionLog row is a link of its subject's hash
chain, and `manage.py verify_audit` names the first row of a chain that plain SQL altered,
deleted or forged; /status/ shows the office the last verification."""

from datetime import date, timedelta

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from tests import factories
from tests.workflow.test_item_import import good_rows, workbook
from workflow import auditchain, item_import, tasks
from workflow.actions import accept_assignment, import_items, recompute_deadlines, request_extension
from workflow.models import Assignment, AuditCheck, DeadlineRule, TransitionLog

pytestmark = pytest.mark.django_db


def verify():
    """(exit code, output) of `manage.py verify_audit`."""
    from io import StringIO

    out = StringIO()
    try:
        call_command("verify_audit", stdout=out)
    except CommandError as exc:
        return 1, out.getvalue() + str(exc)
    return 0, out.getvalue()


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def item_rows(assignment):
    """The rows of the assignment's item itself (not of its assignments)."""
    return TransitionLog.objects.filter(
        content_type__model="proposal", object_id=assignment.proposal_id
    )


@pytest.fixture
def handled(office, clerk, kewei):
    """An item received, reviewed, filed, assigned and signed for: rows on two subjects."""
    assignment = factories.accepted(office, clerk, kewei)
    request_extension(assignment, clerk, assignment.due_on + timedelta(days=10), "需要协调")
    return assignment


def test_rows_written_by_verbs_form_one_chain_per_subject(handled):
    rows = item_rows(handled).order_by("seq")
    assert [r.seq for r in rows] == list(range(1, rows.count() + 1))
    assert rows.count() >= 3  # receive, review, file, assign…
    previous = ""
    for row in rows:
        assert row.hash == auditchain.row_digest(previous, row, "proposals.proposal")
        previous = row.hash
    assert TransitionLog.objects.filter(hash="").count() == 0
    code, out = verify()
    assert code == 0 and ", 0 breaks" in out
    check = AuditCheck.objects.get()
    assert check.ok and check.rows == TransitionLog.objects.count()


def test_a_comment_changed_with_plain_sql_is_named_by_verify_audit(handled):
    victim = item_rows(handled).order_by("seq")[1]
    sql("UPDATE workflow_transitionlog SET comment=%s WHERE id=%s", ["已办结", victim.pk])

    code, out = verify()

    assert code == 1
    assert f"BROKEN row {victim.pk} (item {handled.proposal_id}" in out and "hash" in out
    assert "1 breaks" in out
    assert AuditCheck.objects.get().breaks == 1


def test_a_row_deleted_in_the_middle_is_detected_at_the_next_row(handled):
    rows = list(item_rows(handled).order_by("seq"))
    sql("DELETE FROM workflow_transitionlog WHERE id=%s", [rows[1].pk])

    code, out = verify()

    assert code == 1
    assert f"BROKEN row {rows[2].pk} " in out and "missing" in out


def test_the_last_row_of_a_chain_deleted_after_a_check_is_detected(handled):
    assert verify()[0] == 0
    last = TransitionLog.objects.order_by("-id").first()
    sql("DELETE FROM workflow_transitionlog WHERE id=%s", [last.pk])

    code, out = verify()

    assert code == 1 and "1 rows at or below id" in out
    assert verify()[0] == 1  # still reported until someone looks into it


def test_a_forged_row_inserted_with_plain_sql_is_detected(handled):
    last = item_rows(handled).order_by("-seq").first()
    sql(
        "INSERT INTO workflow_transitionlog (content_type_id, object_id, proposal_id, actor_id,"
        " transition, source, target, at, comment, seq, hash)"
        " VALUES (%s, %s, %s, NULL, 'withdraw', 'assigned', 'withdrawn', %s, '撤案', %s, %s)",
        [
            last.content_type_id,
            last.object_id,
            last.proposal_id,
            last.at,
            last.seq + 1,
            "0" * 64,
        ],
    )
    forged = TransitionLog.objects.order_by("-id").first()

    code, out = verify()

    assert code == 1 and f"BROKEN row {forged.pk} " in out


def test_a_forged_row_without_a_chain_link_is_detected(handled):
    sql(
        "INSERT INTO workflow_transitionlog (content_type_id, object_id, proposal_id,"
        " transition, source, target, at, comment, seq, hash)"
        " VALUES (%s, %s, %s, 'withdraw', 'accepted', 'withdrawn', '2024-01-01', '', 0, '')",
        [ContentType.objects.get_for_model(Assignment).pk, handled.pk, handled.proposal_id],
    )
    forged = TransitionLog.objects.order_by("-id").first()
    code, out = verify()
    assert code == 1 and f"BROKEN row {forged.pk} " in out and "out_of_order" in out


def test_two_writers_cannot_fork_a_chain(handled):
    row = item_rows(handled).order_by("-seq").first()
    twin = TransitionLog(
        content_type_id=row.content_type_id,
        object_id=row.object_id,
        proposal_id=row.proposal_id,
        transition="fork",
        seq=row.seq,
        hash="f" * 64,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_rows_of_an_excel_import_are_chained(office, kewei, shanghai):
    factories.session(shanghai)
    factories.unit("上海市卫生健康委员会", shanghai, organ_code="沪卫")
    factories.unit("上海市经济和信息化委员会", shanghai, organ_code="沪经信")
    rows = item_import.read_workbook(workbook(good_rows(20)))
    report = item_import.as_report(item_import.check(rows, shanghai))
    items = [row["item"] for row in report if row["status"] == "new"]

    made = import_items(office, shanghai, items)

    assert len(made) == 20
    imported = TransitionLog.objects.filter(transition__in=["import", "assign"])
    assert imported.count() >= 40 and not imported.filter(hash="").exists()
    assert set(imported.values_list("seq", flat=True)) == {1}
    assert verify()[0] == 0
    # A verb after the import continues the same chain.
    accept_assignment(Assignment.objects.filter(unit=kewei).first(), factories.member(kewei))
    assert verify()[0] == 0


def test_rows_of_a_deadline_recompute_are_chained(office, clerk, kewei, shanghai):
    with time_machine.travel(date(2024, 1, 31), tick=False):
        assignment = factories.accepted(office, clerk, kewei)
    before = TransitionLog.objects.filter(object_id=assignment.pk, content_type__model="assignment")
    count = before.count()
    DeadlineRule.objects.create(
        jurisdiction=shanghai,
        kind="proposal",
        reply_months=5,
        extension_ceiling_months=6,
        opinion_months=1,
        accept_working_days=5,
        transfer_working_days=5,
        rehandling_months=1,
        feedback_working_days=15,
        publication_working_days=20,
    )

    assert recompute_deadlines(reason="规则调整") == 1

    row = before.get(transition="recompute")
    assert row.seq == count + 1 and row.hash
    assert verify()[0] == 0


def test_the_nightly_task_runs_the_same_check():
    assert "verify-audit" in __import__("django.conf").conf.settings.CELERY_BEAT_SCHEDULE
    assert tasks.verify_audit() == {"rows": 0, "breaks": 0}
    assert AuditCheck.objects.get().ok


def test_status_shows_the_last_verification_to_the_office_and_nothing_to_anonymous(
    client, office, clerk, handled
):
    assert "尚未核验" in client_page(client, office)
    victim = item_rows(handled).first()
    sql("UPDATE workflow_transitionlog SET comment=%s WHERE id=%s", ["x", victim.pk])
    verify()

    page = client_page(client, office)
    assert 'id="last-audit"' in page and "发现断裂" in page
    assert f"记录 {victim.pk}（件 {handled.proposal_id}）：内容与哈希不符" in page

    assert "审计记录核验" not in client_page(client, clerk)  # a unit's clerk: status only

    client.logout()
    anonymous = client.get("/status/").content.decode()
    assert "审计记录核验" not in anonymous and "last-audit" not in anonymous
    assert "发现断裂" not in anonymous and f"记录 {victim.pk}" not in anonymous
    assert "audit" not in client.get("/healthz").json()


def client_page(client, who):
    client.force_login(who)
    return client.get("/status/").content.decode()
