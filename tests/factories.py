"""Shared factory_boy factories for the portal's core models.

Apps add their own factories (invitations, otp...) in tests/<app>/factories.py.
"""

import datetime
from decimal import Decimal
from typing import Any

import factory
from factory.django import DjangoModelFactory

from accounts.models import User
from companies.models import Company, Contract, ContractKind, Membership, MembershipStatus, Role
from permissions.catalogue import Right
from permissions.models import Grant

PASSWORD = "motdepasse-solide-42"
MOBILE = "+33612345642"


def siren_with_check_digit(base: str) -> str:
    """A SIREN is 8 digits and a Luhn check digit."""
    total = 0
    for position, char in enumerate(reversed(base)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return base + str((10 - total % 10) % 10)


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"utilisateur{n}@entreprise.example")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    mobile = MOBILE
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance: User, create: bool, results: Any = None) -> None:
        if create:
            instance.save(update_fields=["password"])


class CompanyFactory(DjangoModelFactory[Company]):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Entreprise {n} SAS")
    siren = factory.Sequence(lambda n: siren_with_check_digit(f"{30_000_000 + n:08d}"))
    has_entreprise_subscription = False


class ContractFactory(DjangoModelFactory[Contract]):
    class Meta:
        model = Contract

    company = factory.SubFactory(CompanyFactory)
    kind = ContractKind.LOAN
    reference = factory.Sequence(lambda n: f"CTR-{n:06d}")
    amount = Decimal("250000.00")
    start_date = datetime.date(2024, 1, 15)
    end_date = datetime.date(2031, 1, 15)


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    role = Role.COLLABORATOR
    status = MembershipStatus.ACTIVE


class GrantFactory(DjangoModelFactory[Grant]):
    class Meta:
        model = Grant

    membership = factory.SubFactory(MembershipFactory)
    right = Right.DOCUMENTS
