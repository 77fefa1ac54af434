"""audit: every key to Company, Contract or Membership now points to `companies`.

State only: the tables the keys point to keep their names, so the columns and foreign key
constraints in the database are already right and are left alone (no constraint is dropped and
recreated, no SQLite table is rebuilt).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("companies", "0001_initial"),
        ("audit", "0004_french_field_labels"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='auditevent',
                    name='company',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='companies.company', verbose_name='entreprise'),
                ),
            ],
        ),
    ]
