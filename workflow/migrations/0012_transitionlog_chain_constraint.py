"""The chain's unique constraint (content type, object, seq), after the backfill of 0011; it
also serves every lookup of a subject's rows, so the old index on the subject goes."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("workflow", "0011_transitionlog_chain")]

    operations = [
        migrations.AddConstraint(
            model_name="transitionlog",
            constraint=models.UniqueConstraint(
                fields=("content_type", "object_id", "seq"), name="log_chain"
            ),
        ),
        migrations.RemoveIndex(model_name="transitionlog", name="log_subject"),
    ]
