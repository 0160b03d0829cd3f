"""The audit trail's hash chain (workflow.auditchain): every existing row gets its seq and hash,
subject by subject in the order the rows were written (id), streamed and updated in chunks."""

import django.utils.timezone
from django.conf import settings
from django.db import connection, migrations, models

CHUNK = 2000


def backfill(apps, schema_editor):
    from workflow.auditchain import digest

    log = apps.get_model("workflow", "TransitionLog")
    types = apps.get_model("contenttypes", "ContentType")
    names = {pk: f"{a}.{m}" for pk, a, m in types.objects.values_list("pk", "app_label", "model")}
    fields = ["id", "content_type_id", "object_id", "at", "proposal_id", "actor_id"]
    fields += ["transition", "source", "target", "comment"]
    rows = log.objects.order_by("content_type_id", "object_id", "id").values_list(*fields)
    table = log._meta.db_table
    current, seq, before, batch = None, 0, "", []
    for pk, ct, oid, at, item, actor, transition, source, target, comment in rows.iterator(
        chunk_size=CHUNK
    ):
        if (ct, oid) != current:
            current, seq, before = (ct, oid), 0, ""
        seq += 1
        before = digest(
            before, seq, at, names[ct], oid, item, actor, transition, source, target, comment
        )
        batch.append((pk, seq, before))
        if len(batch) >= CHUNK:
            _write(table, batch)
            batch = []
    _write(table, batch)


def _write(table, batch):
    if not batch:
        return
    values = ", ".join(["(%s, %s, %s)"] * len(batch))
    with connection.cursor() as cursor:
        # A CTE names the VALUES columns the same way on PostgreSQL and SQLite (3.33+).
        cursor.execute(
            f"WITH v(id, seq, hash) AS (VALUES {values}) "
            f"UPDATE {table} SET seq = v.seq, hash = v.hash FROM v WHERE {table}.id = v.id",
            [value for row in batch for value in row],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("proposals", "0006_proposer_jurisdiction"),
        ("workflow", "0010_item_import_saving_since"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditCheck",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("started_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "finished_at",
                    models.DateTimeField(db_index=True, default=django.utils.timezone.now),
                ),
                ("rows", models.PositiveBigIntegerField(default=0)),
                ("chains", models.PositiveBigIntegerField(default=0)),
                ("breaks", models.PositiveIntegerField(default=0)),
                ("details", models.JSONField(blank=True, default=list)),
                ("last_id", models.PositiveBigIntegerField(default=0)),
                ("anchor_rows", models.PositiveBigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "审计记录核验",
                "verbose_name_plural": "审计记录核验",
            },
        ),
        migrations.AddField(
            model_name="transitionlog",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="transitionlog",
            name="seq",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
    ]
