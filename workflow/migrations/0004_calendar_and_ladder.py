"""Ships DOMAIN.md's defaults: the official holiday schedule for the years the
chinese-calendar package knows, and the default reminder ladder."""

from django.db import migrations

# (deadline kind, days from the deadline, audience, repeat every n days once overdue)
LADDER = [
    ("reply", -15, "clerk", 0),
    ("reply", -7, "clerk", 0),
    ("reply", -1, "clerk", 0),
    ("reply", -3, "leader", 0),
    ("reply", 0, "leader", 0),
    ("reply", 1, "leader", 7),
    ("reply", 1, "office", 7),
    ("opinion", -7, "clerk", 0),
    ("opinion", -1, "clerk", 0),
    ("opinion", 0, "leader", 0),
    ("opinion", 1, "leader", 7),
    ("transfer", -1, "clerk", 0),
    ("feedback", 0, "office", 0),
]


def forwards(apps, schema_editor):
    from workflow.calendar import SOURCE, known_years, official_days

    CalendarDay = apps.get_model("workflow", "CalendarDay")
    CalendarYear = apps.get_model("workflow", "CalendarYear")
    ReminderRung = apps.get_model("workflow", "ReminderRung")
    for year in known_years():
        CalendarDay.objects.bulk_create(
            CalendarDay(day=day, is_working=working, name=name)
            for day, (working, name) in sorted(official_days(year).items())
        )
        CalendarYear.objects.create(year=year, source=SOURCE)
    for kind, offset, audience, repeat in LADDER:
        ReminderRung.objects.create(
            deadline_kind=kind, offset_days=offset, audience=audience, repeat_days=repeat
        )


def backwards(apps, schema_editor):
    for name in ("CalendarDay", "CalendarYear", "ReminderRung"):
        apps.get_model("workflow", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("workflow", "0003_calendarday_calendaryear_deadlinerule_notification_and_more")]

    operations = [migrations.RunPython(forwards, backwards)]
