"""Company, Contract and Membership leave the state of `teams`: they live in `companies` now.

State only, like companies/migrations/0001_initial.py: their tables (still named teams_company,
teams_contract, teams_membership) and every row stay. This runs after each app's key to them has
moved to `companies` (the dependencies below), so nothing in the state points to the old models.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("companies", "0001_initial"),
        ("teams", "0004_french_field_labels"),
        ("permissions", "0003_companies_app"),
        ("otp", "0005_companies_app"),
        ("audit", "0005_companies_app"),
        ("invitations", "0004_companies_app"),
        ("client_requests", "0004_companies_app"),
        ("documents", "0002_companies_app"),
        ("treasury", "0003_companies_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='rightschange',
                    name='membership',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rights_changes', to='companies.membership', verbose_name='membre'),
                ),
                migrations.RemoveField(model_name='membership', name='company'),
                migrations.RemoveField(model_name='membership', name='user'),
                migrations.RemoveField(model_name='contract', name='company'),
                migrations.DeleteModel(name='Membership'),
                migrations.DeleteModel(name='Contract'),
                migrations.DeleteModel(name='Company'),
            ],
        ),
    ]
