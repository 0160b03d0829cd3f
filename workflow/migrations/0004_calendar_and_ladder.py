"""Ships DOMAIN.md's defaults: the official holiday schedule for the years the
chinese-calendar package knows, and the default reminder ladder."""

from django.db import migrations

def forwards(apps, schema_editor):
    from workflow.holidays import SOURCE, known_years, official_days
    from workflow.reminders import install_default_ladder

    CalendarDay = apps.get_model("workflow", "CalendarDay")
    CalendarYear = apps.get_model("workflow", "CalendarYear")
    ReminderRung = apps.get_model("workflow", "ReminderRung")
    for year in known_years():
        CalendarDay.objects.bulk_create(
            CalendarDay(day=day, is_working=working, name=name)
            for day, (working, name) in sorted(official_days(year).items())
        )
        CalendarYear.objects.create(year=year, source=SOURCE)
    install_default_ladder(ReminderRung)


def backwards(apps, schema_editor):
    for name in ("CalendarDay", "CalendarYear", "ReminderRung"):
        apps.get_model("workflow", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("workflow", "0003_calendarday_calendaryear_deadlinerule_notification_and_more")]

    operations = [migrations.RunPython(forwards, backwards)]
