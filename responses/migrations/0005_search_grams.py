from django.db import migrations, models

from proposals import bigrams


def fill(apps, schema_editor):
    """Pieces for the replies already published (only what the public may read)."""
    Reply = apps.get_model("responses", "Reply")
    batch = []
    published = Reply.objects.filter(state="published").select_related("assignment__proposal")
    for reply in published.iterator(chunk_size=1000):
        text = reply.summary if reply.disclosure == "summary" else reply.body
        reply.search_grams = bigrams.stored(
            reply.title, reply.assignment.proposal.title, text
        )
        batch.append(reply)
    Reply.objects.bulk_update(batch, ["search_grams"], batch_size=1000)


def index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        create, _drop = bigrams.index_sql("responses_reply", "search_grams", "reply_grams_gin")
        schema_editor.execute(create)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS reply_grams_gin")


class Migration(migrations.Migration):
    dependencies = [
        ("responses", "0004_lettertemplate"),
        ("proposals", "0003_search_grams"),
    ]

    operations = [
        migrations.AddField(
            model_name="reply",
            name="search_grams",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(index, drop_index),
    ]
