"""Demo data for `make run`: two companies, an administrator, two collaborators, a support login.

Idempotent: every row is keyed on a stable field (SIREN, contract reference, email), so running it
again updates the demo back to its known state instead of adding rows. The demo passwords are set
on every run, so the credentials it prints are always the true ones.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from companies.models import (
    Company,
    Contract,
    ContractKind,
    ContractStatus,
    Membership,
    MembershipStatus,
    Role,
)
from documents.demo import load_demo_documents
from permissions.catalogue import Right
from permissions.end_dates import local_today
from permissions.models import Grant
from teams.demo import load_demo_members
from treasury.demo import load_demo_treasury

DEMO_PASSWORD = "demo-Mes-equipes-2026"  # noqa: S105 - printed on purpose, demo only
SUPPORT_PASSWORD = "support-Mes-equipes-2026"  # noqa: S105 - printed on purpose, demo only

ADMIN_EMAIL = "admin@demo.example"
SUPPORT_EMAIL = "support@demo.example"
# four eyes: what one agent proposes (an administrator's mobile...), a second one approves
SECOND_SUPPORT_EMAIL = "support2@demo.example"
BASE_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class DemoCompany:
    siren: str
    name: str
    has_entreprise_subscription: bool
    iban: str
    bic: str


@dataclass(frozen=True)
class DemoContract:
    siren: str
    reference: str
    kind: ContractKind
    amount: Decimal
    start_date: datetime.date
    end_date: datetime.date


@dataclass(frozen=True)
class DemoPerson:
    email: str
    first_name: str
    last_name: str
    mobile: str = ""


ATELIER = DemoCompany(
    "552100554",
    "Atelier Durand SAS",
    has_entreprise_subscription=True,
    iban="FR7630006000011234567890189",
    bic="AGRIFRPPXXX",
)
BOULANGERIE = DemoCompany(
    "794128637",
    "Boulangerie Martin SARL",
    has_entreprise_subscription=False,
    iban="FR7610107001011234567890129",
    bic="BREDFRPPXXX",
)

CONTRACTS = (
    DemoContract(
        ATELIER.siren,
        "PRT-2022-0418735",
        ContractKind.LOAN,
        Decimal("180000.00"),
        datetime.date(2022, 4, 15),
        datetime.date(2029, 4, 15),
    ),
    DemoContract(
        ATELIER.siren,
        "CLUB-2024-0031268",
        ContractKind.CLUB,
        Decimal("750000.00"),
        datetime.date(2024, 1, 31),
        datetime.date(2029, 1, 31),
    ),
    DemoContract(
        ATELIER.siren,
        "CBM-2023-0095114",
        ContractKind.CBM,
        Decimal("245600.00"),
        datetime.date(2023, 6, 1),
        datetime.date(2028, 5, 31),
    ),
    DemoContract(
        ATELIER.siren,
        "LOCFI-2025-0012907",
        ContractKind.LOCFI,
        Decimal("38400.00"),
        datetime.date(2025, 3, 1),
        datetime.date(2029, 2, 28),
    ),
    DemoContract(
        BOULANGERIE.siren,
        "PRT-2021-0277450",
        ContractKind.LOAN,
        Decimal("95000.00"),
        datetime.date(2021, 9, 10),
        datetime.date(2028, 9, 10),
    ),
    DemoContract(
        BOULANGERIE.siren,
        "CBM-2024-0140326",
        ContractKind.CBM,
        Decimal("62300.00"),
        datetime.date(2024, 10, 1),
        datetime.date(2029, 9, 30),
    ),
)

ADMIN = DemoPerson(ADMIN_EMAIL, "Claire", "Durand", mobile="+33612345642")
COLLABORATORS: tuple[tuple[DemoPerson, tuple[Right, ...]], ...] = (
    (
        DemoPerson("julien.petit@demo.example", "Julien", "Petit", mobile="+33612345643"),
        (Right.DOCUMENTS,),
    ),
    (
        DemoPerson("sophie.leroy@demo.example", "Sophie", "Leroy", mobile="+33612345644"),
        (Right.DOCUMENTS, Right.TREASURY, Right.COMPANY_REQUESTS),
    ),
)
# a right that ends on a date, so that a person sees "jusqu’au …" in Mes équipes: Sophie Leroy
# follows the treasury for the closing period, this many days from the day the demo is loaded
DEMO_END_DATES: dict[str, dict[Right, int]] = {"sophie.leroy@demo.example": {Right.TREASURY: 60}}
SUPPORT = DemoPerson(SUPPORT_EMAIL, "Sophie", "Support", mobile="+33612345699")
SECOND_SUPPORT = DemoPerson(SECOND_SUPPORT_EMAIL, "Bruno", "Second", mobile="+33612345698")


def _company(demo: DemoCompany) -> Company:
    company, _ = Company.objects.update_or_create(
        siren=demo.siren,
        defaults={
            "name": demo.name,
            "has_entreprise_subscription": demo.has_entreprise_subscription,
            "bank_account_holder": demo.name,
            "iban": demo.iban,
            "bic": demo.bic,
        },
    )
    return company


def _contract(demo: DemoContract, company: Company) -> Contract:
    contract, _ = Contract.objects.update_or_create(
        reference=demo.reference,
        defaults={
            "company": company,
            "kind": demo.kind,
            "amount": demo.amount,
            "start_date": demo.start_date,
            "end_date": demo.end_date,
            "status": ContractStatus.ACTIVE,
        },
    )
    return contract


def _user(person: DemoPerson, *, password: str, **flags: Any) -> User:
    user = User.objects.filter(email__iexact=person.email).first() or User(email=person.email)
    user.first_name = person.first_name
    user.last_name = person.last_name
    user.mobile = person.mobile
    # confirmed mobiles: every login's second factor is a code read at /dev/outbox
    user.mobile_confirmed_at = timezone.now() if person.mobile else None
    user.login_locked_at = None
    user.consecutive_login_failures = 0
    user.is_active = True
    user.is_staff = flags.get("is_staff", False)
    user.is_superuser = flags.get("is_superuser", False)
    user.set_password(password)
    user.save()
    return user


def _membership(user: User, company: Company, *, role: Role, rights: tuple[Right, ...]) -> None:
    membership, _ = Membership.objects.update_or_create(
        user=user,
        company=company,
        defaults={"role": role, "status": MembershipStatus.ACTIVE},
    )
    wanted = {right.value for right in rights}
    membership.grants.exclude(right__in=wanted).delete()
    days = DEMO_END_DATES.get(user.email, {})
    for right in sorted(wanted):
        Grant.objects.update_or_create(
            membership=membership,
            right=right,
            defaults={
                "ends_on": local_today() + datetime.timedelta(days=days[Right(right)])
                if Right(right) in days
                else None
            },
        )


class Command(BaseCommand):
    help = "Load (or reset) the demo companies, administrator, collaborators and support login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. The demo passwords are public: never on a real site.",
        )
        parser.add_argument(
            "--members",
            type=int,
            default=None,
            metavar="N",
            help="Also fill Atelier Durand SAS with N generated members (names with accents, "
            "varied roles, statuses and rights) to try search and filters; 0 removes them. "
            "Without it, generated members are left as they are.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off: refusing to create accounts whose passwords are public. "
                "Pass --force if this really is a throwaway database."
            )
        members = options["members"]
        if members is not None and not 0 <= members <= 20_000:
            raise CommandError("--members takes a number from 0 to 20000.")
        self._load()
        if members is not None:
            load_demo_members(
                company=Company.objects.get(siren=ATELIER.siren),
                count=members,
                password_hash=make_password(DEMO_PASSWORD),
            )
            self.stdout.write(f"{members} generated members in {ATELIER.name}.")
        self._print_credentials()

    @transaction.atomic
    def _load(self) -> None:
        companies = {demo.siren: _company(demo) for demo in (ATELIER, BOULANGERIE)}
        for contract in CONTRACTS:
            _contract(contract, companies[contract.siren])
        for company in companies.values():
            load_demo_documents(company)

        admin = _user(ADMIN, password=DEMO_PASSWORD)
        for company in companies.values():
            _membership(admin, company, role=Role.ADMIN, rights=())

        atelier = companies[ATELIER.siren]
        for person, rights in COLLABORATORS:
            user = _user(person, password=DEMO_PASSWORD)
            _membership(user, atelier, role=Role.COLLABORATOR, rights=rights)

        for agent in (SUPPORT, SECOND_SUPPORT):
            _user(agent, password=SUPPORT_PASSWORD, is_staff=True, is_superuser=True)
        load_demo_treasury(atelier)

    def _print_credentials(self) -> None:
        collaborators = ", ".join(person.email for person, _ in COLLABORATORS)
        lines = (
            ("Administrator", ADMIN_EMAIL),
            ("Password", DEMO_PASSWORD),
            ("Companies", f"{ATELIER.name}, {BOULANGERIE.name}"),
            ("Collaborators", f"{collaborators} (same password)"),
            ("Support login", SUPPORT_EMAIL),
            ("Second support", SECOND_SUPPORT_EMAIL),
            ("Support password", SUPPORT_PASSWORD),
            ("Portal", f"{BASE_URL}/"),
            ("Django admin", f"{BASE_URL}/admin/"),
            ("Dev outbox", f"{BASE_URL}/dev/outbox/ (SMS codes and emails)"),
        )
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        for label, value in lines:
            self.stdout.write(f"  {label + ':':<18}{value}")
