"""Demo treasury for `make run` (called by portal's load_demo): idempotent, dated from today.

Running it again puts the company's treasury back to its known state: the accounts are keyed on
their label, the scheduled flows are replaced, the subscription runs a year from today.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from companies.models import Company
from treasury.models import BankAccount, CashFlow, FlowCategory, TreasurySubscription

ACCOUNTS = (
    ("Compte courant principal", "4821", Decimal("184350.27")),
    ("Compte d’exploitation", "0937", Decimal("42615.80")),
)

# (days from today, label, amount, category)
FLOWS = (
    (2, "Règlement client Menuiserie Bernard", Decimal("18400.00"), FlowCategory.RECEIPT),
    (5, "Loyer de l’atelier", Decimal("-6200.00"), FlowCategory.DISBURSEMENT),
    (7, "Fournisseur Bois & Panneaux SA", Decimal("-23750.40"), FlowCategory.DISBURSEMENT),
    (10, "Règlement client Hôtel des Tilleuls", Decimal("31200.00"), FlowCategory.RECEIPT),
    (14, "TVA à décaisser", Decimal("-15840.00"), FlowCategory.TAX),
    (18, "Règlement client Mairie de Saint-Avold", Decimal("12960.00"), FlowCategory.RECEIPT),
    (21, "Cotisations URSSAF", Decimal("-21300.00"), FlowCategory.PAYROLL),
    (27, "Salaires", Decimal("-58400.00"), FlowCategory.PAYROLL),
    (32, "Règlement client Groupe Habitat Est", Decimal("46800.00"), FlowCategory.RECEIPT),
    (35, "Loyer de l’atelier", Decimal("-6200.00"), FlowCategory.DISBURSEMENT),
    (41, "Fournisseur Quincaillerie Lorraine", Decimal("-9870.25"), FlowCategory.DISBURSEMENT),
    (44, "TVA à décaisser", Decimal("-14220.00"), FlowCategory.TAX),
    (49, "Règlement client Menuiserie Bernard", Decimal("15600.00"), FlowCategory.RECEIPT),
    (52, "Cotisations URSSAF", Decimal("-21300.00"), FlowCategory.PAYROLL),
    (57, "Salaires", Decimal("-58400.00"), FlowCategory.PAYROLL),
    (60, "Règlement client Groupe Habitat Est (solde)", Decimal("42000.00"), FlowCategory.RECEIPT),
    (63, "Acompte d’impôt sur les sociétés", Decimal("-27500.00"), FlowCategory.TAX),
    (65, "Loyer de l’atelier", Decimal("-6200.00"), FlowCategory.DISBURSEMENT),
    (70, "Règlement client Hôtel des Tilleuls", Decimal("38900.00"), FlowCategory.RECEIPT),
    (78, "Fournisseur Bois & Panneaux SA", Decimal("-19480.60"), FlowCategory.DISBURSEMENT),
    (82, "Cotisations URSSAF", Decimal("-21300.00"), FlowCategory.PAYROLL),
    (84, "Règlement client Groupe Habitat Est", Decimal("52300.00"), FlowCategory.RECEIPT),
    (87, "Salaires", Decimal("-58400.00"), FlowCategory.PAYROLL),
)


@transaction.atomic
def load_demo_treasury(company: Company, *, today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    for label, number_end, balance in ACCOUNTS:
        BankAccount.objects.update_or_create(
            company=company,
            label=label,
            defaults={"number_end": number_end, "balance": balance, "balance_date": today},
        )
    CashFlow.objects.filter(company=company).delete()
    CashFlow.objects.bulk_create(
        CashFlow(
            company=company,
            flow_date=today + datetime.timedelta(days=days),
            label=label,
            amount=amount,
            category=category,
        )
        for days, label, amount, category in FLOWS
    )
    TreasurySubscription.objects.update_or_create(
        company=company, defaults={"active_until": today + datetime.timedelta(days=365)}
    )
