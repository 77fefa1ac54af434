"""Shared actors, named by role. App-specific fixtures live in tests/<app>/conftest.py."""

import contextlib
import time
from collections.abc import Callable
from typing import Any

import pytest
import redis
from django.core.cache import cache
from django.test import Client
from hypothesis import settings as hypothesis_settings

from accounts.models import User
from companies.models import Company, ContractKind, Membership, Role
from core import ratelimit
from permissions.catalogue import Right
from tests.factories import (
    CompanyFactory,
    ContractFactory,
    GrantFactory,
    MembershipFactory,
    UserFactory,
)

# Hypothesis profiles. Every @given test follows the loaded profile's max_examples (a test's own
# settings may relax a deadline or a health check, never fix a number of examples).
# "ci": `make test`, and any plain pytest run. The form fuzzers cost a request per example; a few
# per run keep the suite within its time, and each run draws new ones (no fixed seed).
# "fuzz": `make fuzz` (pytest --hypothesis-profile=fuzz -m hypothesis), far more examples.
hypothesis_settings.register_profile("ci", max_examples=10, print_blob=True)
hypothesis_settings.register_profile("fuzz", max_examples=500, print_blob=True)
hypothesis_settings.load_profile("ci")


@pytest.fixture(autouse=True)
def no_rate_limits_counted() -> None:
    """Each test starts with nothing counted: the whole run shares one Redis (and 127.0.0.1)."""
    backend: Any = getattr(cache, "_cache", None)
    if not hasattr(backend, "get_client"):
        cache.clear()  # an in-memory cache: nothing else lives in it
        return
    # a test that stops Redis finds nothing counted anyway
    with contextlib.suppress(redis.RedisError):
        client = backend.get_client(write=True)
        keys = list(client.scan_iter(match=cache.make_key(f"{ratelimit.PREFIX}:*"), count=1000))
        if keys:
            client.delete(*keys)


@pytest.fixture
def company() -> Company:
    """A company holding CLUB, CBM and LOCFI contracts, with the Entreprise subscription."""
    company = CompanyFactory.create(name="Atelier Durand SAS", has_entreprise_subscription=True)
    for kind in (ContractKind.CLUB, ContractKind.CBM, ContractKind.LOCFI):
        ContractFactory.create(company=company, kind=kind)
    return company


@pytest.fixture
def other_company() -> Company:
    return CompanyFactory.create(name="Boulangerie Martin SARL")


@pytest.fixture
def admin_user() -> User:
    return UserFactory.create(first_name="Claire", last_name="Durand", mobile="+33612345642")


@pytest.fixture
def admin(admin_user: User, company: Company) -> Membership:
    return MembershipFactory.create(user=admin_user, company=company, role=Role.ADMIN)


@pytest.fixture
def collaborator_with(company: Company) -> Callable[..., Membership]:
    """collaborator_with(Right.DOCUMENTS, ...) -> an active collaborator of `company`."""

    def make(*rights: Right, **membership_fields: object) -> Membership:
        membership_fields.setdefault("company", company)
        membership = MembershipFactory.create(role=Role.COLLABORATOR, **membership_fields)
        for right in rights:
            GrantFactory.create(membership=membership, right=right)
        return membership

    return make


@pytest.fixture
def other_admin(other_company: Company) -> Membership:
    return MembershipFactory.create(company=other_company, role=Role.ADMIN)


def logged_in_client(user: User) -> Client:
    """A client whose session has just logged in (signing accepts a login of the last minutes)."""
    client = Client()
    client.force_login(user)
    session = client.session
    session["portal_login_at"] = int(time.time())
    session.save()
    return client


@pytest.fixture
def client_for() -> Callable[[User], Client]:
    """client_for(user) -> a Client logged in as that user, with a fresh login time."""
    return logged_in_client


@pytest.fixture
def admin_client(admin: Membership) -> Client:
    """The company administrator, logged in just now."""
    return logged_in_client(admin.user)
