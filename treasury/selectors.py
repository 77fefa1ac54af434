"""Every read the treasury page needs, always for one company."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Subquery
from django.utils.translation import gettext as _

from companies.models import Company, Contract, ContractStatus
from documents.amortisation import TERMS_FIELDS, schedule
from treasury.chart import Chart, forecast_chart
from treasury.forecast import (
    HORIZON_DAYS,
    Forecast,
    Movement,
    forecast_build,
    instalment_movements,
)
from treasury.models import (
    BankAccount,
    CashFlow,
    FlowCategory,
    LowBalanceAlert,
    TreasurySubscription,
)


def bank_accounts(*, company: Company) -> list[BankAccount]:
    return list(BankAccount.objects.filter(company=company).order_by("label", "pk"))


def subscribed_accounts(*, company: Company, today: datetime.date) -> list[BankAccount] | None:
    """The company's accounts if its subscription is active on `today`, else None: one query
    (a second only for a company without any account)."""
    until = TreasurySubscription.objects.filter(company=company).values("active_until")[:1]
    accounts: list[BankAccount] = list(
        BankAccount.objects.filter(company=company)
        .annotate(subscribed_until=Subquery(until))
        .order_by("label", "pk")
    )
    if not accounts:
        return [] if active_subscription(company=company, today=today) else None
    subscribed_until: datetime.date | None = accounts[0].subscribed_until  # type: ignore[attr-defined]
    return accounts if subscribed_until is not None and today <= subscribed_until else None


def scheduled_movements(
    *, company: Company, start: datetime.date, end: datetime.date
) -> list[Movement]:
    # each category's label translated once, not once a flow
    categories = {category.value: str(category.label) for category in FlowCategory}
    flows = (
        CashFlow.objects.filter(company=company, flow_date__range=(start, end))
        .order_by("flow_date", "pk")
        .values_list("flow_date", "label", "amount", "category")
    )
    return [
        Movement(
            movement_date=flow_date,
            label=label,
            amount=amount,
            category=categories.get(category, category),
        )
        for flow_date, label, amount, category in flows
    ]


def contract_movements(
    *, company: Company, start: datetime.date, end: datetime.date
) -> list[Movement]:
    """The instalments of the company's running contracts, from their amortisation tables."""
    contracts = (
        Contract.objects.filter(
            company=company,
            status=ContractStatus.ACTIVE,
            start_date__lte=end,
            end_date__gte=start,
        )
        .only("reference", *TERMS_FIELDS)
        .order_by("reference")
    )
    # translated once for every instalment
    category = str(FlowCategory.LOAN_INSTALMENT.label)
    label = _("Échéance n° %(number)s du contrat %(reference)s")
    movements: list[Movement] = []
    for contract in contracts:
        instalments = [i for i in schedule(contract) if start <= i.due_date <= end]
        movements += instalment_movements(
            reference=contract.reference,
            instalments=instalments,
            category=category,
            label=label,
        )
    return movements


def company_forecast(
    *, company: Company, accounts: list[BankAccount], today: datetime.date
) -> Forecast:
    end = today + datetime.timedelta(days=HORIZON_DAYS)
    movements = scheduled_movements(company=company, start=today, end=end)
    movements += contract_movements(company=company, start=today, end=end)
    return forecast_build(
        opening_balance=sum((a.balance for a in accounts), Decimal("0")),
        movements=movements,
        today=today,
    )


def active_subscription(*, company: Company, today: datetime.date) -> TreasurySubscription | None:
    subscription = TreasurySubscription.objects.filter(company=company).first()
    if subscription is None or not subscription.is_active_on(today):
        return None
    return subscription


def low_balance_alert(*, company: Company) -> LowBalanceAlert | None:
    return LowBalanceAlert.objects.filter(company=company).select_related("recipient").first()


def subscription_and_alert(
    *, company: Company
) -> tuple[TreasurySubscription | None, LowBalanceAlert | None]:
    """The company's subscription and low-balance alert, in one query."""
    row = Company.objects.select_related("treasury_subscription", "treasury_alert__recipient").get(
        pk=company.pk
    )
    try:
        subscription: TreasurySubscription | None = row.treasury_subscription
    except TreasurySubscription.DoesNotExist:
        subscription = None
    try:
        alert: LowBalanceAlert | None = row.treasury_alert
    except LowBalanceAlert.DoesNotExist:
        alert = None
    return subscription, alert


@dataclass(frozen=True)
class TreasuryOverview:
    accounts: list[BankAccount]
    total_balance: Decimal
    forecast: Forecast
    chart: Chart
    subscribed: bool
    subscription: TreasurySubscription | None
    alert: LowBalanceAlert | None

    @property
    def threshold(self) -> Decimal | None:
        if self.subscribed and self.alert is not None and self.alert.enabled:
            return self.alert.threshold
        return None

    @property
    def first_day_below(self) -> datetime.date | None:
        if self.threshold is None:
            return None
        day = self.forecast.first_day_below(self.threshold)
        return day.day if day is not None else None


def treasury_overview(*, company: Company, today: datetime.date) -> TreasuryOverview:
    """The treasury page: balances, the forecast and its chart, what the subscription opens."""
    accounts = bank_accounts(company=company)
    forecast = company_forecast(company=company, accounts=accounts, today=today)
    subscription, alert = subscription_and_alert(company=company)
    subscribed = subscription is not None and subscription.is_active_on(today)
    alert = alert if subscribed else None
    threshold = alert.threshold if alert is not None and alert.enabled else None
    return TreasuryOverview(
        accounts=accounts,
        total_balance=forecast.opening_balance,
        forecast=forecast,
        chart=forecast_chart(forecast=forecast, threshold=threshold),
        subscribed=subscribed,
        subscription=subscription,
        alert=alert,
    )


def alerts_due(*, today: datetime.date) -> list[int]:
    """The enabled alerts of subscribed companies not yet sent for today."""
    return list(
        LowBalanceAlert.objects.filter(
            enabled=True, company__treasury_subscription__active_until__gte=today
        )
        .exclude(last_sent_for=today)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
