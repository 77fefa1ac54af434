"""Companies of several sizes with a busy history, written with bulk_create.

Each company has `Size.members` members (one administrator), 50 contracts on 120 monthly
instalments each (3 documents apiece), 1,000 requests, 100,000 audit events, 200 treasury flows
over the forecast's 90 days, 3 bank accounts, an active treasury subscription with a low-balance
alert and 20 invitations awaiting signature. The companies of a run share every table, so each
query filters rows of the others too. The query-bound tests build the same shape, smaller.
"""

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import User
from audit.models import Action, AuditEvent
from client_requests.kinds import RequestKind, RequestStatus
from client_requests.models import ClientRequest
from companies.models import Company, Contract, ContractKind, ContractStatus, Membership, Role
from documents.models import ContractDocument, DocumentKind
from invitations.models import Invitation, InvitationStatus
from permissions.catalogue import Right
from permissions.models import Grant
from treasury.models import (
    BankAccount,
    CashFlow,
    FlowCategory,
    LowBalanceAlert,
    TreasurySubscription,
)

INSTALMENTS = 120
MOBILE = "+33612345642"
AUDIT_BATCH = 10_000


@dataclass(frozen=True)
class Size:
    members: int
    contracts: int = 50
    requests: int = 1000
    audit_events: int = 100_000
    flows: int = 200
    invitations: int = 20


# `make bench`: three companies with the same busy history, of 10, 1,000 and 10,000 members
SIZES = (Size(members=10), Size(members=1000), Size(members=10_000))
# `BENCH_TINY=1` (the test that boots `make bench`): one small company, a short history
TINY = (Size(members=10, contracts=4, requests=30, audit_events=200, flows=20, invitations=2),)

_KINDS = (ContractKind.LOAN, ContractKind.CLUB, ContractKind.CBM, ContractKind.LOCFI)
_RIGHT_SETS = (
    (Right.DOCUMENTS,),
    (Right.DOCUMENTS, Right.TREASURY),
    (Right.DOCUMENTS, Right.COMPANY_REQUESTS, Right.FUND_OPERATIONS),
    (Right.TREASURY, Right.BANK_DETAILS),
)
_STATUSES = tuple(RequestStatus)
_FLOW_KINDS = (
    (FlowCategory.RECEIPT, Decimal("1850.00")),
    (FlowCategory.DISBURSEMENT, Decimal("-920.40")),
    (FlowCategory.PAYROLL, Decimal("-3150.00")),
    (FlowCategory.TAX, Decimal("-640.00")),
    (FlowCategory.RECEIPT, Decimal("2400.00")),
)


@dataclass(frozen=True)
class BenchCompany:
    company: Company
    admin: User
    contract: Contract  # a 120-month loan, the one whose detail page, PDF and CSV are measured
    collaborator: Membership  # the member whose page is measured
    size: Size


def _siren(number: int) -> str:
    return f"{700_000_000 + number:09d}"


def _users(prefix: str, password: str, members: int) -> list[User]:
    users = [
        User(
            email=f"{prefix}-membre{n:05d}@entreprise.example",
            first_name=f"Prénom{n:05d}",
            last_name=f"Nom{(n * 37) % members:05d}",
            mobile=MOBILE,
            password=password,
        )
        for n in range(members)
    ]
    return User.objects.bulk_create(users, batch_size=2000)


def _contracts(company: Company, prefix: str, today: datetime.date, count: int) -> list[Contract]:
    contracts = []
    for n in range(count):
        kind = _KINDS[n % len(_KINDS)]
        amount = Decimal(60_000 + 7_500 * n)
        start = today - relativedelta(months=1 + n % 60)
        contracts.append(
            Contract(
                company=company,
                kind=kind,
                reference=f"{prefix}-CTR-{n:04d}",
                amount=amount,
                start_date=start,
                end_date=start + relativedelta(months=INSTALMENTS),
                # a few closed contracts: listed, but no longer in the forecast
                status=ContractStatus.CLOSED if n % 10 == 9 else ContractStatus.ACTIVE,
                annual_rate=Decimal("2.750") + Decimal(n % 8) / 4,
                payment_frequency=1,
                residual_value=amount / 10 if kind in (ContractKind.CBM, ContractKind.LOCFI) else 0,
                drawn_amount=amount * Decimal("0.6") if kind == ContractKind.CLUB else 0,
            )
        )
    return Contract.objects.bulk_create(contracts)


def _documents(contracts: list[Contract]) -> None:
    kinds = (DocumentKind.CONTRACT, DocumentKind.AMORTISATION_TABLE, DocumentKind.CERTIFICATE)
    ContractDocument.objects.bulk_create(
        ContractDocument(
            contract=contract,
            title=f"{kind.label} {contract.reference}",
            kind=kind,
            # rows only: the pages list documents, they never open the files
            file=f"contracts/{contract.pk}/{n:032x}",
            original_name=f"{kind.value}-{contract.reference}.pdf",
            content_type="application/pdf",
            size=48_213,
            sha256=hashlib.sha256(f"{contract.pk}-{n}".encode()).hexdigest(),
        )
        for contract in contracts
        for n, kind in enumerate(kinds)
    )


def _requests(
    company: Company,
    users: list[User],
    contracts: list[Contract],
    now: datetime.datetime,
    count: int,
) -> None:
    kinds = tuple(RequestKind)
    rows = []
    for n in range(count):
        status = _STATUSES[n % len(_STATUSES)]
        rows.append(
            ClientRequest(
                company=company,
                author=users[n % len(users)],
                kind=kinds[n % len(kinds)],
                status=status,
                contract=contracts[n % len(contracts)] if n % 3 else None,
                details={"subject": f"Financement n° {n}"} if n % 3 == 0 else {},
                message="Merci de traiter cette demande.",
                submitted_at=None if status == RequestStatus.DRAFT else now,
                submitted_by=None if status == RequestStatus.DRAFT else users[n % len(users)],
            )
        )
    ClientRequest.objects.bulk_create(rows, batch_size=2000)


def _audit(company: Company, users: list[User], now: datetime.datetime, count: int) -> None:
    """A year of history: logins, downloads, signatures, requests, spread over the members."""
    actions = (
        Action.LOGIN,
        Action.DOCUMENT_DOWNLOADED,
        Action.REQUEST_CREATED,
        Action.SIGNED,
        Action.RIGHTS_ADDED,
        Action.LOGOUT,
    )
    for start in range(0, count, AUDIT_BATCH):
        AuditEvent.objects.bulk_create(
            AuditEvent(
                occurred_at=now - datetime.timedelta(minutes=5 * n),
                action=actions[n % len(actions)],
                actor=users[n % len(users)],
                actor_email=users[n % len(users)].email,
                company=company,
                target_repr=f"Événement n° {n}",
                ip_address="192.0.2.10",
            )
            for n in range(start, min(count, start + AUDIT_BATCH))
        )


def _treasury(company: Company, admin: User, today: datetime.date, flow_count: int) -> None:
    BankAccount.objects.bulk_create(
        BankAccount(
            company=company,
            label=label,
            number_end=f"{4200 + n}",
            balance=Decimal("185000.00") / (n + 1),
            balance_date=today,
        )
        for n, label in enumerate(("Compte courant", "Compte d’exploitation", "Compte épargne"))
    )
    flows = []
    for n in range(flow_count):
        category, amount = _FLOW_KINDS[n % len(_FLOW_KINDS)]
        flows.append(
            CashFlow(
                company=company,
                flow_date=today + datetime.timedelta(days=n % 91),
                label=f"{category.label} n° {n}",
                amount=amount,
                category=category,
            )
        )
    CashFlow.objects.bulk_create(flows)
    TreasurySubscription.objects.create(
        company=company, active_until=today + datetime.timedelta(days=365)
    )
    LowBalanceAlert.objects.create(company=company, threshold=Decimal("50000.00"), recipient=admin)


def _team(
    company: Company, users: list[User], now: datetime.datetime, invitations: int
) -> list[Membership]:
    admin, *collaborators = users
    memberships = Membership.objects.bulk_create(
        [Membership(user=admin, company=company, role=Role.ADMIN)]
        + [
            Membership(user=user, company=company, role=Role.COLLABORATOR) for user in collaborators
        ],
        batch_size=2000,
    )
    Grant.objects.bulk_create(
        (
            Grant(membership=membership, right=right)
            for n, membership in enumerate(memberships[1:])
            for right in _RIGHT_SETS[n % len(_RIGHT_SETS)]
        ),
        batch_size=2000,
    )
    Invitation.objects.bulk_create(
        Invitation(
            company=company,
            invited_by=admin,
            email=f"invite{n:02d}-{company.pk}@nouveau.example",
            first_name=f"Invité{n:02d}",
            last_name="Futur",
            rights=[Right.DOCUMENTS.value],
            status=InvitationStatus.AWAITING_SIGNATURE,
            created_at=now,
        )
        for n in range(invitations)
    )
    return memberships


def company_build(*, number: int, password_hash: str, size: Size) -> BenchCompany:
    now = timezone.now()
    today = timezone.localdate()
    prefix = f"B{number}"
    company = Company.objects.create(
        name=f"Atelier Mesure {number} SAS", siren=_siren(number), has_entreprise_subscription=True
    )
    users = _users(prefix, password_hash, size.members)
    memberships = _team(company, users, now, size.invitations)
    contracts = _contracts(company, prefix, today, size.contracts)
    _documents(contracts)
    _requests(company, users, contracts, now, size.requests)
    _audit(company, users, now, size.audit_events)
    _treasury(company, users[0], today, size.flows)
    return BenchCompany(
        company=company,
        admin=users[0],
        contract=contracts[0],
        collaborator=memberships[len(memberships) // 2],
        size=size,
    )


def world_build(sizes: tuple[Size, ...]) -> list[BenchCompany]:
    """One company per size, in the same tables."""
    password_hash = make_password("banc-de-mesure-2026")
    return [
        company_build(number=number, password_hash=password_hash, size=size)
        for number, size in enumerate(sizes)
    ]
