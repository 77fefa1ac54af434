"""permissions: every key to Company, Contract or Membership now points to `companies`.

State only: the tables the keys point to keep their names, so the columns and foreign key
constraints in the database are already right and are left alone (no constraint is dropped and
recreated, no SQLite table is rebuilt).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("companies", "0001_initial"),
        ("permissions", "0002_french_field_labels"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='grant',
                    name='membership',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='grants', to='companies.membership', verbose_name='membre'),
                ),
            ],
        ),
    ]
