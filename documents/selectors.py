"""Every read of the documents section, always within the member's company."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from client_requests.kinds import RequestKind
from client_requests.models import ClientRequestQuerySet
from client_requests.selectors import requests_of_kinds
from companies.models import Company, Contract, Membership
from documents.models import ContractDocument


def company_contracts(*, company: Company) -> QuerySet[Contract]:
    return (
        Contract.objects.filter(company=company)
        .only("company_id", "reference", "kind", "amount", "start_date", "end_date", "status")
        .order_by("status", "-start_date", "reference")
    )


def company_contract(*, company: Company, contract_id: int) -> Contract:
    """A contract of this company with its documents; another company's looks like a missing one."""
    documents = ContractDocument.objects.order_by("-added_at", "-pk")
    try:
        return (
            Contract.objects.select_related("company")
            .prefetch_related(Prefetch("documents", queryset=documents))
            .get(company=company, pk=contract_id)
        )
    except Contract.DoesNotExist:
        raise Http404 from None


def company_contract_terms(*, company: Company, contract_id: int) -> Contract:
    """A contract of this company without its documents: what its amortisation files read."""
    try:
        return Contract.objects.select_related("company").get(company=company, pk=contract_id)
    except Contract.DoesNotExist:
        raise Http404 from None


def contract_document(*, company: Company, contract_id: int, document_id: int) -> ContractDocument:
    try:
        return ContractDocument.objects.select_related("contract").get(
            contract__company=company, contract_id=contract_id, pk=document_id
        )
    except ContractDocument.DoesNotExist:
        raise Http404 from None


def duplicate_requests(*, membership: Membership) -> ClientRequestQuerySet:
    return requests_of_kinds(membership=membership, kinds=(RequestKind.DUPLICATE,))
