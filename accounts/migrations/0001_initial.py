"""The user model, moved from portal with its table: a database where portal's first migration
ran already has it, so this migration counts as applied there (it replaces that one) and only a new
database runs it. Replacing, rather than creating the model in state only, is what keeps Django's own
applied migrations that depend on the user model (admin.0001_initial's log entries) consistent.
"""

import django.db.models.functions.text
import django.utils.timezone
import phonenumber_field.modelfields
import accounts.models
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [("portal", "0001_initial")]

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
    ]

    operations = [
        migrations.CreateModel(
            name='User',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('password', models.CharField(max_length=128, verbose_name='password')),
                ('last_login', models.DateTimeField(blank=True, null=True, verbose_name='last login')),
                ('is_superuser', models.BooleanField(default=False, help_text='Designates that this user has all permissions without explicitly assigning them.', verbose_name='superuser status')),
                ('email', models.EmailField(max_length=254, unique=True, verbose_name='adresse e-mail')),
                ('first_name', models.CharField(max_length=150, verbose_name='prénom')),
                ('last_name', models.CharField(max_length=150, verbose_name='nom')),
                ('mobile', phonenumber_field.modelfields.PhoneNumberField(blank=True, help_text='Numéro de mobile vérifié (E.164), utilisé pour signer par SMS.', max_length=128, region=None, verbose_name='mobile')),
                ('is_staff', models.BooleanField(default=False, verbose_name='équipe support')),
                ('is_active', models.BooleanField(default=True, verbose_name='actif')),
                ('date_joined', models.DateTimeField(default=django.utils.timezone.now, verbose_name='inscrit le')),
                ('consecutive_wrong_codes', models.PositiveIntegerField(default=0, verbose_name='codes erronés consécutifs')),
                ('signing_locked_at', models.DateTimeField(blank=True, help_text='Trop de codes erronés : seul le support peut débloquer la signature.', null=True, verbose_name='signature bloquée le')),
                ('groups', models.ManyToManyField(blank=True, help_text='The groups this user belongs to. A user will get all permissions granted to each of their groups.', related_name='user_set', related_query_name='user', to='auth.group', verbose_name='groups')),
                ('user_permissions', models.ManyToManyField(blank=True, help_text='Specific permissions for this user.', related_name='user_set', related_query_name='user', to='auth.permission', verbose_name='user permissions')),
            ],
            options={
                'db_table': 'portal_user',
                'verbose_name': 'utilisateur',
                'verbose_name_plural': 'utilisateurs',
                'constraints': [models.UniqueConstraint(django.db.models.functions.text.Lower('email'), name='user_email_ci_unique')],
            },
            managers=[
                ('objects', accounts.models.UserManager()),
            ],
        ),
    ]
