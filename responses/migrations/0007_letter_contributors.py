from django.conf import settings
from django.db import migrations, models


def submitters_are_authors(apps, schema_editor):
    """Before contributors were recorded only the drafter was known. Whoever sent a revision
    up for signature is now an author too (submit_letter records them); the letters' past
    submitters are recorded the same way, so nobody who submitted a letter can sign it."""
    revisions = apps.get_model("responses", "LetterRevision").objects
    for kind in ("reply", "opinion"):
        through = apps.get_model("responses", kind).contributors.through
        pairs = (
            revisions.filter(**{f"{kind}__isnull": False})
            .values_list(f"{kind}_id", "submitted_by_id")
            .distinct()
        )
        through.objects.bulk_create(
            [through(**{f"{kind}_id": letter, "user_id": user}) for letter, user in pairs],
            batch_size=1000,
            ignore_conflicts=True,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("responses", "0006_reply_title_grams"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="opinion",
            name="contributors",
            field=models.ManyToManyField(
                blank=True, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="撰写人"
            ),
        ),
        migrations.AddField(
            model_name="reply",
            name="contributors",
            field=models.ManyToManyField(
                blank=True, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="撰写人"
            ),
        ),
        migrations.RunPython(submitters_are_authors, migrations.RunPython.noop),
    ]
