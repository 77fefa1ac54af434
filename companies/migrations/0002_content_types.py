"""The content types of Company, Contract and Membership follow them from `teams` to `companies`.

The rows are renamed, not replaced: their ids stay, so what refers to them (the permissions given
to support staff and groups, the admin's history of changes) follows without being touched. A
database created after the move has no such rows yet (they are created after `migrate`): nothing to
do. If `companies` ones already exist (created by a partial migrate), the old ones are left for
`remove_stale_contenttypes`.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import migrations

MODELS = ("company", "contract", "membership")


def rename(apps, schema_editor, *, old: str, new: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    rows = content_type.objects.using(schema_editor.connection.alias)
    for model in MODELS:
        if not rows.filter(app_label=new, model=model).exists():
            rows.filter(app_label=old, model=model).update(app_label=new)
    # both caches may hold a row under its old name (this process may have read it before)
    content_type.objects.clear_cache()
    ContentType.objects.clear_cache()


def forwards(apps, schema_editor):
    rename(apps, schema_editor, old="teams", new="companies")


def backwards(apps, schema_editor):
    rename(apps, schema_editor, old="companies", new="teams")


class Migration(migrations.Migration):

    dependencies = [
        ("companies", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
