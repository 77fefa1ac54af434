"""Every company page answers in at most 10 queries, whatever the company's size.

The companies are built as `make bench` builds them (bench/data.py), with a shorter history. Ten
queries include what every logged-in request pays before the page's own reads: the session, the
user, the session's save (a savepoint, the update, its release), and the member with their rights.
"""

from collections.abc import Callable
from typing import cast

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.data import BenchCompany, Size, company_build
from client_requests.models import ClientRequest
from documents.models import ContractDocument
from tests.conftest import logged_in_client

pytestmark = pytest.mark.django_db

MAX_QUERIES = 10
# What each page reaches today (the treasury CSV's audit event is one statement that appends it to
# the journal's hash chain): a page that reads more than this has grown a query.
REACHED = {
    "company home": 6,
    "documents": 7,
    "contract": 8,
    "amortisation CSV": 7,
    "amortisation PDF": 10,
    "duplicate request": 8,
    "duplicates": 8,
    "request tracking": 8,
    "request tracking, page 2": 8,
    "a request": 9,
    "company requests": 9,
    "fund operations": 9,
    "bank details": 9,
    "early buyout": 9,
    "treasury": 10,
    "treasury CSV": 10,
    "treasury alert": 8,
}


def _size(members: int) -> Size:
    return Size(members=members, contracts=8, requests=60, audit_events=50, flows=20, invitations=3)


@pytest.fixture
def built() -> Callable[[int], BenchCompany]:
    def build(members: int) -> BenchCompany:
        password = make_password("banc-de-mesure-2026")
        # a neighbour of the same size first: every query filters rows of another company
        company_build(number=1, password_hash=password, size=_size(members))
        return company_build(number=0, password_hash=password, size=_size(members))

    return build


def company_pages(world: BenchCompany) -> dict[str, str]:
    company = world.company.pk
    contract = world.contract.pk
    a_request = ClientRequest.objects.filter(company=world.company).order_by("pk").first()
    assert a_request is not None
    document = ContractDocument.objects.filter(contract=world.contract).order_by("pk").first()
    assert document is not None
    return {
        "company home": reverse("portal:company_home", args=[company]),
        "documents": reverse("documents:index", args=[company]),
        "contract": reverse("documents:contract", args=[company, contract]),
        "amortisation CSV": reverse("documents:amortisation_csv", args=[company, contract]),
        "amortisation PDF": reverse("documents:amortisation_pdf", args=[company, contract]),
        "duplicate request": reverse("documents:duplicate", args=[company, contract]),
        "duplicates": reverse("documents:duplicate_requests", args=[company]),
        "request tracking": reverse("client_requests:index", args=[company]),
        "request tracking, page 2": reverse("client_requests:index", args=[company]) + "?page=2",
        "a request": reverse("client_requests:detail", args=[company, a_request.pk]),
        "company requests": reverse("client_requests:company_requests", args=[company]),
        "fund operations": reverse("client_requests:fund_operations", args=[company]),
        "bank details": reverse("client_requests:bank_details", args=[company]),
        "early buyout": reverse("client_requests:early_buyout", args=[company]),
        "treasury": reverse("treasury:index", args=[company]),
        "treasury CSV": reverse("treasury:export", args=[company]),
        "treasury alert": reverse("treasury:alert", args=[company]),
    }


def queries_per_page(client: Client, pages: dict[str, str]) -> dict[str, int]:
    counts = {}
    for name, url in pages.items():
        client.get(url)  # the first download renders and stores what later ones serve
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            if response.streaming:
                # what a streamed file reads while it is sent counts too
                b"".join(cast(StreamingHttpResponse, response))
        assert response.status_code == 200, f"{name}: {url} answered {response.status_code}"
        counts[name] = len(queries.captured_queries)
    return counts


@pytest.mark.parametrize("members", [10, 1000])
def test_every_company_page_makes_at_most_ten_queries_whatever_the_number_of_members(
    built, members
):
    world = built(members)

    counts = queries_per_page(logged_in_client(world.admin), company_pages(world))

    over = {name: n for name, n in counts.items() if n > min(MAX_QUERIES, REACHED[name])}
    assert over == {}


def test_a_collaborators_pages_make_at_most_ten_queries_too(built):
    world = built(10)
    pages = {
        name: url
        for name, url in company_pages(world).items()
        if name in {"company home", "request tracking", "documents", "treasury"}
    }
    client = logged_in_client(world.collaborator.user)

    counts = {}
    for name, url in pages.items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        counts[name] = (response.status_code, len(queries.captured_queries))

    assert all(n <= MAX_QUERIES for _status, n in counts.values()), counts
