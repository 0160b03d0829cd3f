from django.db import migrations, models

from proposals import bigrams


def fill(apps, schema_editor):
    """Pieces for the items already there, a chunk at a time."""
    Proposal = apps.get_model("proposals", "Proposal")
    batch = []
    for item in Proposal.objects.only("id", "title", "body").iterator(chunk_size=2000):
        item.title_grams = bigrams.stored(item.title)
        item.search_grams = bigrams.stored(item.title, item.body)
        batch.append(item)
        if len(batch) == 2000:
            Proposal.objects.bulk_update(batch, ["title_grams", "search_grams"])
            batch = []
    Proposal.objects.bulk_update(batch, ["title_grams", "search_grams"])


def indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for column in ("title_grams", "search_grams"):
            create, _drop = bigrams.index_sql(
                "proposals_proposal", column, f"proposal_{column}_gin"
            )
            schema_editor.execute(create)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for column in ("title_grams", "search_grams"):
            schema_editor.execute(f"DROP INDEX IF EXISTS proposal_{column}_gin")


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0002_jurisdiction_number_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="proposal",
            name="search_grams",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="proposal",
            name="title_grams",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(indexes, drop_indexes),
    ]
