"""The user's content type follows the model from portal to accounts.

Renaming the row, rather than letting Django create a new one, keeps what points at it: the
permissions on users given to support staff and groups, and the admin's history of each user.
A new database has no such row yet (content types are created after migrating): nothing to do.
"""

from django.db import migrations


def _rename(apps, schema_editor, *, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    rows = ContentType.objects.using(schema_editor.connection.alias)
    if rows.filter(app_label=target, model="user").exists():
        return
    rows.filter(app_label=source, model="user").update(app_label=target)


def to_accounts(apps, schema_editor):
    _rename(apps, schema_editor, source="portal", target="accounts")


def to_portal(apps, schema_editor):
    _rename(apps, schema_editor, source="accounts", target="portal")


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(to_accounts, to_portal, elidable=False),
    ]
