# The reminder ledger becomes one row per item and rung, keyed by (assignment, rung, repeat,
# deadline version); who was told is recorded per sweep in ReminderDigest.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# Rows that differed only by recipient collapse to the earliest, so no reminder already
# issued is issued again. Past in-app notifications stay (they lose only their link to it).
COPY_LEDGER = """
    INSERT INTO workflow_reminder (assignment_id, rung_id, repeat, due_version, unit_id,
                                   deadline_kind, due_on, created_at, batch)
    SELECT assignment_id, rung_id, repeat, due_version, unit_id, deadline_kind, due_on,
           created_at, batch
    FROM workflow_reminderbyrecipient
    WHERE id IN (SELECT MIN(id) FROM workflow_reminderbyrecipient
                 GROUP BY assignment_id, rung_id, repeat, due_version)
"""


def sweep_index(apps, schema_editor):
    # A sweep's rows are found by their shared created_at. On PostgreSQL a BRIN index: the
    # ledger is append-only, so the rows lie in created_at order and the index costs the
    # inserts next to nothing (a b-tree cost a sixth of a first sweep). SQLite has no BRIN.
    method = "USING brin " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"CREATE INDEX reminder_by_sweep ON workflow_reminder {method}(created_at)")


def drop_sweep_index(apps, schema_editor):
    schema_editor.execute("DROP INDEX reminder_by_sweep")


class Migration(migrations.Migration):

    dependencies = [
        ('proposals', '0003_search_grams'),
        ('workflow', '0007_open_by_due_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveField(model_name='notification', name='reminder'),
        migrations.RemoveConstraint(model_name='reminder', name='reminder_once'),
        migrations.RemoveIndex(model_name='reminder', name='reminder_email_queue'),
        migrations.RemoveIndex(model_name='reminder', name='reminder_sms_queue'),
        migrations.RenameModel('Reminder', 'ReminderByRecipient'),
        migrations.CreateModel(
            name='Reminder',
            fields=[
                ('pk', models.CompositePrimaryKey('assignment_id', 'rung_id', 'repeat', 'due_version', blank=True, editable=False, primary_key=True, serialize=False)),
                ('assignment', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='workflow.assignment')),
                ('unit', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='workflow.unit')),
                ('deadline_kind', models.CharField(choices=[('reply', '答复期限'), ('opinion', '会办意见期限'), ('transfer', '申请调整期限'), ('feedback', '反馈期限')], max_length=10)),
                ('rung', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='workflow.reminderrung')),
                ('repeat', models.PositiveSmallIntegerField(default=0)),
                ('due_version', models.PositiveIntegerField()),
                ('due_on', models.DateField()),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('batch', models.UUIDField()),
            ],
            options={
                'verbose_name': '提醒记录',
                'verbose_name_plural': '提醒记录',
            },
        ),
        migrations.RunSQL(COPY_LEDGER, migrations.RunSQL.noop),
        migrations.DeleteModel(name='ReminderByRecipient'),
        migrations.RunPython(sweep_index, drop_sweep_index),
        migrations.CreateModel(
            name='ReminderDigest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('batch', models.UUIDField()),
                ('audience', models.CharField(choices=[('clerk', '承办人'), ('leader', '单位领导'), ('office', '建议提案处')], max_length=10, verbose_name='提醒对象')),
                ('items', models.PositiveIntegerField(verbose_name='件数')),
                ('overdue', models.PositiveIntegerField(verbose_name='其中逾期')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='时间')),
                ('emailed_at', models.DateTimeField(blank=True, null=True)),
                ('texted_at', models.DateTimeField(blank=True, null=True)),
                ('jurisdiction', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='proposals.jurisdiction')),
                ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reminder_digests', to=settings.AUTH_USER_MODEL)),
                ('unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='workflow.unit')),
            ],
            options={
                'verbose_name': '提醒汇总',
                'verbose_name_plural': '提醒汇总',
                'indexes': [models.Index(fields=['recipient', 'emailed_at'], name='digest_email_queue'), models.Index(fields=['recipient', 'texted_at'], name='digest_sms_queue')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('unit__isnull', False)), fields=('batch', 'recipient', 'unit', 'audience'), name='digest_once_per_unit_role'), models.UniqueConstraint(condition=models.Q(('unit__isnull', True)), fields=('batch', 'recipient', 'jurisdiction'), name='digest_once_per_office'), models.CheckConstraint(condition=models.Q(models.Q(('audience', 'office'), ('unit__isnull', True)), models.Q(models.Q(('audience', 'office'), _negated=True), ('unit__isnull', False)), _connector='OR'), name='digest_office_has_no_unit')],
            },
        ),
        migrations.AddField(
            model_name='notification',
            name='digest',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notification', to='workflow.reminderdigest'),
        ),
    ]
