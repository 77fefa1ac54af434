"""The computations behind the pages and downloads: schedule, forecast, PDF and CSV exports."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from bench import results
from documents.amortisation import computed_schedule
from documents.exports import amortisation_csv, amortisation_pdf
from documents.selectors import company_contract
from treasury.forecast import HORIZON_DAYS, forecast_build
from treasury.selectors import bank_accounts, company_forecast, contract_movements
from treasury.selectors import scheduled_movements as flow_movements

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(world):
    return company_contract(company=world.company, contract_id=world.contract.pk)


def test_schedule(benchmark, contract):
    # computed every time: schedule() itself keeps each set of terms' table once computed
    name = "computed_schedule(): 120 instalments"
    results.timed(benchmark, name, lambda: computed_schedule(contract))
    results.peak(name, lambda: computed_schedule(contract))


def test_forecast_build(benchmark, world):
    today = timezone.localdate()
    end = today + datetime.timedelta(days=HORIZON_DAYS)
    movements = flow_movements(company=world.company, start=today, end=end)
    movements += contract_movements(company=world.company, start=today, end=end)
    opening = sum((a.balance for a in bank_accounts(company=world.company)), Decimal("0"))

    def build():
        return forecast_build(opening_balance=opening, movements=movements, today=today)

    name = f"forecast_build(): {len(movements)} movements"
    results.timed(benchmark, name, build)
    results.peak(name, build)


def test_company_forecast(benchmark, world):
    today = timezone.localdate()
    accounts = bank_accounts(company=world.company)

    def forecast():
        return company_forecast(company=world.company, accounts=accounts, today=today)

    name = "company_forecast(): reads + 45 schedules"
    results.timed(benchmark, name, forecast)
    results.peak(name, forecast)


def test_amortisation_pdf(benchmark, contract):
    name = "amortisation_pdf(): WeasyPrint"
    results.timed(benchmark, name, lambda: amortisation_pdf(contract=contract))
    results.peak(name, lambda: amortisation_pdf(contract=contract))


def test_amortisation_csv(benchmark, contract):
    name = "amortisation_csv()"
    results.timed(benchmark, name, lambda: amortisation_csv(contract=contract))
    results.peak(name, lambda: amortisation_csv(contract=contract))
