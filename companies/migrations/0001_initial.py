"""Company, Contract and Membership move from `teams` to `companies` in Django's state only.

Their tables keep their names (`db_table`), so nothing happens in the database: the rows, constraints
and indexes stay where they are. Then every foreign key moves to these models (one `companies_app`
migration per app) and teams/migrations/0005_companies_app drops the old models from the state.
"""

import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("teams", "0004_french_field_labels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Company',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200, verbose_name='raison sociale')),
                        ('siren', models.CharField(max_length=9, unique=True, verbose_name='SIREN')),
                        ('has_entreprise_subscription', models.BooleanField(default=False, verbose_name='abonnement Entreprise')),
                        ('bank_account_holder', models.CharField(blank=True, max_length=140, verbose_name='titulaire du compte')),
                        ('iban', models.CharField(blank=True, max_length=34, verbose_name='IBAN')),
                        ('bic', models.CharField(blank=True, max_length=11, verbose_name='BIC')),
                        ('bank_details_changed_at', models.DateTimeField(blank=True, null=True, verbose_name='RIB changé le')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='créée le')),
                    ],
                    options={
                        'verbose_name': 'entreprise',
                        'verbose_name_plural': 'entreprises',
                        'db_table': 'teams_company',
                        'constraints': [models.CheckConstraint(condition=models.Q(('siren__regex', '^[0-9]{9}$')), name='company_siren_nine_digits')],
                    },
                ),
                migrations.CreateModel(
                    name='Contract',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('loan', 'Crédit classique'), ('club', 'Crédit CLUB'), ('cbm', 'Crédit-bail mobilier (CBM)'), ('locfi', 'Location financière (LOCFI)')], max_length=10, verbose_name='type')),
                        ('reference', models.CharField(max_length=40, unique=True, verbose_name='référence')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='montant')),
                        ('start_date', models.DateField(verbose_name='date de début')),
                        ('end_date', models.DateField(verbose_name='date de fin')),
                        ('status', models.CharField(choices=[('active', 'En cours'), ('closed', 'Clos')], default='active', max_length=10, verbose_name='statut')),
                        ('annual_rate', models.DecimalField(decimal_places=3, default=Decimal('0'), max_digits=6, verbose_name='taux annuel (%)')),
                        ('payment_frequency', models.PositiveSmallIntegerField(choices=[(1, 'Mensuelle'), (3, 'Trimestrielle'), (6, 'Semestrielle'), (12, 'Annuelle')], default=1, verbose_name='périodicité')),
                        ('residual_value', models.DecimalField(decimal_places=2, default=Decimal('0'), help_text='Prix de l’option d’achat (CBM) ou valeur de fin de contrat (LOCFI).', max_digits=14, verbose_name='valeur résiduelle')),
                        ('drawn_amount', models.DecimalField(decimal_places=2, default=Decimal('0'), help_text='Part du crédit déjà décaissée (crédits CLUB).', max_digits=14, verbose_name='montant décaissé')),
                        ('company', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contracts', to='companies.company', verbose_name='entreprise')),
                    ],
                    options={
                        'verbose_name': 'contrat',
                        'verbose_name_plural': 'contrats',
                        'db_table': 'teams_contract',
                        'constraints': [models.CheckConstraint(condition=models.Q(('kind__in', ['loan', 'club', 'cbm', 'locfi'])), name='contract_kind_valid'), models.CheckConstraint(condition=models.Q(('status__in', ['active', 'closed'])), name='contract_status_valid'), models.CheckConstraint(condition=models.Q(('end_date__gte', models.F('start_date'))), name='contract_ends_after_start'), models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='contract_amount_positive'), models.CheckConstraint(condition=models.Q(('annual_rate__gte', 0), ('annual_rate__lt', 100)), name='contract_rate_in_range'), models.CheckConstraint(condition=models.Q(('payment_frequency__in', [1, 3, 6, 12])), name='contract_frequency_valid'), models.CheckConstraint(condition=models.Q(('residual_value__gte', 0), ('residual_value__lt', models.F('amount'))), name='contract_residual_below_amount'), models.CheckConstraint(condition=models.Q(('drawn_amount__gte', 0), ('drawn_amount__lte', models.F('amount'))), name='contract_drawn_within_amount')],
                    },
                ),
                migrations.CreateModel(
                    name='Membership',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('admin', 'Administrateur'), ('collaborator', 'Collaborateur')], default='collaborator', max_length=20, verbose_name='rôle')),
                        ('status', models.CharField(choices=[('active', 'Actif'), ('suspended', 'Suspendu')], default='active', max_length=20, verbose_name='statut')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='membre depuis')),
                        ('company', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='companies.company', verbose_name='entreprise')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL, verbose_name='utilisateur')),
                    ],
                    options={
                        'verbose_name': 'membre',
                        'verbose_name_plural': 'membres',
                        'db_table': 'teams_membership',
                        'constraints': [models.UniqueConstraint(fields=('user', 'company'), name='membership_user_company_unique'), models.CheckConstraint(condition=models.Q(('role__in', ['admin', 'collaborator'])), name='membership_role_valid'), models.CheckConstraint(condition=models.Q(('status__in', ['active', 'suspended'])), name='membership_status_valid')],
                    },
                ),
            ],
        ),
    ]
