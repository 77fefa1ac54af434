"""The user model moved from portal to accounts: a database migrated before the move migrates on.

Before the move, portal's 0001_initial created the table portal_user and the user's content type
was portal.user. accounts' 0001_initial replaces that migration (same table), so a database where
it ran counts accounts' as applied; accounts' 0002 then renames the content type.
"""

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from accounts.models import User
from companies.models import Membership

pytestmark = pytest.mark.django_db

PORTAL_USER_MIGRATION = ("portal", "0001_initial")
ACCOUNTS_USER_MIGRATION = ("accounts", "0001_initial")
CONTENT_TYPE_MIGRATION = ("accounts", "0002_user_content_type")
PASSWORD = "an-old-password-kept"


def _back_to_before_the_move() -> None:
    """What the code before the move left: portal's migration recorded, not accounts' ones."""
    MigrationExecutor(connection).migrate([ACCOUNTS_USER_MIGRATION])
    MigrationRecorder(connection).record_unapplied(*ACCOUNTS_USER_MIGRATION)
    ContentType.objects.clear_cache()


def _rows_written_before_the_move() -> dict[str, int]:
    """A user, their membership and a permission on users, written with portal's historical user."""
    # the migrations as they were, portal's 0001 not replaced: its historical model is portal.User
    apps = MigrationLoader(connection, replace_migrations=False).project_state().apps
    old_user = apps.get_model("portal", "User")
    company = apps.get_model("companies", "Company").objects.create(
        name="Atelier d’avant SAS", siren="552100554"
    )
    user = old_user.objects.create(
        email="before.the.move@example.com",
        password=make_password(PASSWORD),
        first_name="Avant",
        last_name="Déplacement",
        mobile="+33612345678",
    )
    membership = apps.get_model("companies", "Membership").objects.create(
        user_id=user.pk, company=company, role="admin"
    )
    content_type = apps.get_model("contenttypes", "ContentType").objects.get(
        app_label="portal", model="user"
    )
    permission = apps.get_model("auth", "Permission").objects.get(
        content_type=content_type, codename="change_user"
    )
    user.user_permissions.add(permission)
    return {"user": user.pk, "membership": membership.pk, "content_type": content_type.pk}


def test_a_new_database_records_portals_migration_as_well_as_the_one_replacing_it():
    applied = MigrationRecorder(connection).applied_migrations()

    assert ACCOUNTS_USER_MIGRATION in applied
    assert PORTAL_USER_MIGRATION in applied


def test_a_database_migrated_before_the_move_keeps_its_users_and_what_points_at_them():
    _back_to_before_the_move()
    before = _rows_written_before_the_move()
    assert ACCOUNTS_USER_MIGRATION not in MigrationRecorder(connection).applied_migrations()

    # what a deployment runs; Django checks first that the applied history is consistent
    call_command("migrate", verbosity=0)

    user = User.objects.get(email="before.the.move@example.com")
    assert user.pk == before["user"]
    assert user.check_password(PASSWORD)
    assert str(user.mobile) == "+33612345678"
    membership = Membership.objects.select_related("user").get(pk=before["membership"])
    assert membership.user == user
    assert membership.role == "admin"
    ContentType.objects.clear_cache()
    assert ContentType.objects.get_for_model(User).pk == before["content_type"]
    assert User.objects.get(pk=user.pk).has_perm("accounts.change_user")
    applied = MigrationRecorder(connection).applied_migrations()
    assert ACCOUNTS_USER_MIGRATION in applied
    assert CONTENT_TYPE_MIGRATION in applied


def test_the_models_need_no_migration_that_is_not_written():
    call_command("makemigrations", check=True, dry_run=True, verbosity=0)
