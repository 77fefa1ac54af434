"""Every company page at every size: the median time and the queries of one request.

A company page of 10, 1,000 or 10,000 members, each with 50 contracts of 120 instalments, 1,000
requests and 100,000 audit events; its administrator sees every page.
"""

import pytest
from django.urls import reverse

from bench import results
from bench.conftest import BUILT_SIZES, PAGE_SECONDS, administrator_client
from bench.data import BenchCompany
from client_requests.models import ClientRequest

pytestmark = pytest.mark.django_db


def _urls(world: BenchCompany) -> dict[str, str]:
    company = world.company.pk
    contract = world.contract.pk
    member = world.collaborator.pk
    first = ClientRequest.objects.filter(company=world.company).order_by("pk").first()
    assert first is not None
    return {
        "company home": reverse("portal:company_home", args=[company]),
        "Mes équipes": reverse("teams:team", args=[company]),
        "a member": reverse("teams:member", args=[company, member]),
        "Revue des accès": reverse("teams:access_review", args=[company]),
        "Revue des accès CSV": reverse("teams:access_review_csv", args=[company]),
        "documents": reverse("documents:index", args=[company]),
        "contrat (120-row table)": reverse("documents:contract", args=[company, contract]),
        "amortisation PDF (stored)": reverse(
            "documents:amortisation_pdf", args=[company, contract]
        ),
        "amortisation CSV": reverse("documents:amortisation_csv", args=[company, contract]),
        "duplicatas": reverse("documents:duplicate_requests", args=[company]),
        "Suivi des demandes": reverse("client_requests:index", args=[company]),
        "a request": reverse("client_requests:detail", args=[company, first.pk]),
        "demandes de l’entreprise": reverse("client_requests:company_requests", args=[company]),
        "gestion des fonds": reverse("client_requests:fund_operations", args=[company]),
        "RIB": reverse("client_requests:bank_details", args=[company]),
        "rachat anticipé": reverse("client_requests:early_buyout", args=[company]),
        "trésorerie + chart": reverse("treasury:index", args=[company]),
        "trésorerie CSV": reverse("treasury:export", args=[company]),
    }


PAGE_NAMES = [
    "company home",
    "Mes équipes",
    "a member",
    "Revue des accès",
    "Revue des accès CSV",
    "documents",
    "contrat (120-row table)",
    "amortisation PDF (stored)",
    "amortisation CSV",
    "duplicatas",
    "Suivi des demandes",
    "a request",
    "demandes de l’entreprise",
    "gestion des fonds",
    "RIB",
    "rachat anticipé",
    "trésorerie + chart",
    "trésorerie CSV",
]


@pytest.mark.parametrize("size", range(len(BUILT_SIZES)), ids=lambda n: f"size{n}")
@pytest.mark.parametrize("page", PAGE_NAMES)
def test_company_page(benchmark, worlds, page, size):
    world = worlds[size]
    url = _urls(world)[page]
    client = administrator_client(world)
    results.company_page(
        benchmark, client, page, url, members=world.size.members, page_seconds=PAGE_SECONDS
    )
