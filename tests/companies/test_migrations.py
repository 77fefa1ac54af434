"""Company, Contract and Membership moved from `teams` to `companies` without touching their rows.

A database migrated before the move is taken back to that point, filled through the models of
that time, then migrated forward: the rows read through `companies.models` are the same rows.
"""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from companies.models import Company, Contract, ContractKind, Membership, Role

# the migrations are run on the test database's real tables, outside the test's transaction
pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_THE_MOVE = [("companies", None)]  # unapplies companies/0001 and all that depends on it


def migrate(targets):
    """Migrate the test database to `targets`; the models as they are at that point."""
    MigrationExecutor(connection).migrate(targets)
    ContentType.objects.clear_cache()
    loader = MigrationExecutor(connection).loader  # reads what is applied now
    # a replaced migration (portal's 0001, replaced by accounts') is recorded but is no node
    applied = [node for node in loader.applied_migrations if node in loader.graph.nodes]
    return loader.project_state(applied).apps


def migrate_to_the_end():
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.fixture
def before_the_move():
    apps = migrate(BEFORE_THE_MOVE)
    yield apps
    migrate_to_the_end()  # the next tests need today's schema, whatever this test did


def test_a_database_from_before_the_move_keeps_its_rows(before_the_move):
    apps = before_the_move
    user = apps.get_model(settings.AUTH_USER_MODEL).objects.create(
        email="claire.durand@example.com", first_name="Claire", last_name="Durand"
    )
    company = apps.get_model("teams", "Company").objects.create(
        name="Atelier Durand SAS", siren="552100554", iban="FR7630006000011234567890189"
    )
    contract = apps.get_model("teams", "Contract").objects.create(
        company=company,
        kind=ContractKind.CLUB,
        reference="CLUB-2026-001",
        amount=Decimal("150000.00"),
        drawn_amount=Decimal("50000.00"),
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2031, 1, 1),
    )
    membership = apps.get_model("teams", "Membership").objects.create(
        user=user, company=company, role=Role.ADMIN
    )
    apps.get_model("permissions", "Grant").objects.create(membership=membership, right="documents")

    migrate_to_the_end()

    moved = Company.objects.get(pk=company.pk)
    assert (moved.name, moved.siren, moved.iban) == (
        "Atelier Durand SAS",
        "552100554",
        "FR7630006000011234567890189",
    )
    assert Contract.objects.get(pk=contract.pk).available_amount == Decimal("100000.00")
    member = Membership.objects.active().get(pk=membership.pk)
    assert (member.user.email, member.company, member.is_admin) == (
        "claire.durand@example.com",
        moved,
        True,
    )
    assert list(member.grants.values_list("right", flat=True)) == ["documents"]


def test_permissions_given_before_the_move_follow_the_models(before_the_move):
    apps = before_the_move
    old_type = apps.get_model("contenttypes", "ContentType").objects.get(
        app_label="teams", model="company"
    )
    permission = apps.get_model("auth", "Permission").objects.get(
        content_type=old_type, codename="change_company"
    )
    apps.get_model("auth", "Group").objects.create(name="support").permissions.add(permission)

    migrate_to_the_end()

    assert ContentType.objects.get_for_model(Company).pk == old_type.pk
    assert Group.objects.get(name="support").permissions.get().content_type.app_label == (
        "companies"
    )


def test_the_models_and_their_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
