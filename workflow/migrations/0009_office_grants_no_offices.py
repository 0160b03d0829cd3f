"""The office group loses what let it grant offices: adding or changing office memberships,
any deleting, and any permission outside Banli's own apps (groups, users' rights)."""

from django.db import migrations

OFFICE_GROUP = "建议提案处"
BANLI_APPS = ["proposals", "workflow", "responses"]


def narrow_office_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=OFFICE_GROUP).first()
    if group is None:
        return
    granted = Permission.objects.filter(group=group)
    too_much = (
        granted.exclude(content_type__app_label__in=BANLI_APPS)
        | granted.filter(codename__startswith="delete_")
        | granted.filter(
            content_type__app_label="workflow",
            codename__in=["add_officemembership", "change_officemembership"],
        )
    )
    group.permissions.remove(*too_much)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("workflow", "0008_reminder_digests"),
    ]

    operations = [migrations.RunPython(narrow_office_group, migrations.RunPython.noop)]
