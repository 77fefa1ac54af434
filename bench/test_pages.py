"""The pages a member opens most, on a company of 200 members, 50 contracts, 1,000 requests."""

import pytest
from django.urls import reverse

from bench import results

pytestmark = pytest.mark.django_db


def test_company_home(benchmark, member, world):
    url = reverse("portal:company_home", args=[world.company.pk])
    results.page(benchmark, member, "page: company home", url)


def test_team(benchmark, member, world):
    url = reverse("teams:team", args=[world.company.pk])
    results.page(benchmark, member, "page: Mes équipes (200 members)", url)


def test_documents(benchmark, member, world):
    url = reverse("documents:index", args=[world.company.pk])
    results.page(benchmark, member, "page: documents (50 contracts)", url)


def test_contract_detail(benchmark, member, world):
    url = reverse("documents:contract", args=[world.company.pk, world.contract.pk])
    results.page(benchmark, member, "page: contract + 120-row table", url)


def test_requests(benchmark, member, world):
    url = reverse("client_requests:index", args=[world.company.pk])
    results.page(benchmark, member, "page: Suivi des demandes (1000)", url)


def test_treasury(benchmark, member, world):
    url = reverse("treasury:index", args=[world.company.pk])
    results.page(benchmark, member, "page: trésorerie + chart", url)
