from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from audit.services import client_ip
from client_requests.services import RequestRefused, duplicate_fee
from core.csv import csv_download
from core.downloads import file_download, missing_file_is_404
from documents import selectors, services
from documents.amortisation import schedule, totals
from documents.exports import amortisation_csv_rows, export_filename
from documents.forms import DuplicateRequestForm
from permissions.catalogue import Right, duplicate_fee_note
from permissions.checks import CompanyRequest, require_right

PAGE_SIZE = 20


@require_GET
@require_right(Right.DOCUMENTS)
def index(request: CompanyRequest, company_id: int) -> HttpResponse:
    contracts = selectors.company_contracts(company=request.company)
    return render(
        request, "documents/index.html", {"company": request.company, "contracts": contracts}
    )


@require_GET
@require_right(Right.DOCUMENTS)
def contract_detail(request: CompanyRequest, company_id: int, contract_id: int) -> HttpResponse:
    contract = selectors.company_contract(company=request.company, contract_id=contract_id)
    instalments = schedule(contract)
    return render(
        request,
        "documents/contract_detail.html",
        {
            "company": request.company,
            "contract": contract,
            "documents": contract.documents.all(),
            "instalments": instalments,
            "totals": totals(instalments),
        },
    )


@require_GET
@require_right(Right.DOCUMENTS)
@missing_file_is_404
def document_download(
    request: CompanyRequest, company_id: int, contract_id: int, document_id: int
) -> HttpResponseBase:
    document = selectors.contract_document(
        company=request.company, contract_id=contract_id, document_id=document_id
    )
    # opened first: a file missing from the store is not recorded as downloaded
    file = document.file.open("rb")
    services.document_download_record(
        membership=request.membership, document=document, ip_address=client_ip(request)
    )
    return file_download(
        file,
        filename=document.original_name,
        content_type=document.content_type,
    )


@require_GET
@require_right(Right.DOCUMENTS)
def amortisation_csv_download(
    request: CompanyRequest, company_id: int, contract_id: int
) -> HttpResponseBase:
    contract = selectors.company_contract_terms(company=request.company, contract_id=contract_id)
    return csv_download(
        amortisation_csv_rows(contract=contract),
        filename=export_filename(contract=contract, extension="csv"),
    )


@require_GET
@require_right(Right.DOCUMENTS)
def amortisation_pdf_download(
    request: CompanyRequest, company_id: int, contract_id: int
) -> HttpResponseBase:
    contract = selectors.company_contract_terms(company=request.company, contract_id=contract_id)
    return file_download(
        services.amortisation_pdf_file(contract=contract),
        content_type="application/pdf",
        filename=export_filename(contract=contract, extension="pdf"),
    )


@require_http_methods(["GET", "POST"])
@require_right(Right.DOCUMENTS)
def duplicate_request(request: CompanyRequest, company_id: int, contract_id: int) -> HttpResponse:
    contract = selectors.company_contract(company=request.company, contract_id=contract_id)
    documents = list(contract.documents.all())
    data = request.POST if request.method == "POST" else None
    form = DuplicateRequestForm(data, documents=documents)
    if request.method == "POST" and form.is_valid():
        try:
            services.duplicate_request_create(
                membership=request.membership,
                contract=contract,
                document=form.chosen_document(),
                message=form.cleaned_data["message"],
                ip_address=client_ip(request),
            )
        except RequestRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request, _("Votre demande de duplicata a été transmise à votre conseiller.")
            )
            return redirect("documents:duplicate_requests", company_id=request.company.pk)
    return render(
        request,
        "documents/duplicate_request.html",
        {
            "company": request.company,
            "contract": contract,
            "form": form,
            "fee": duplicate_fee(company=request.company),
            "fee_note": duplicate_fee_note(
                has_entreprise_subscription=request.company.has_entreprise_subscription
            ),
        },
    )


@require_GET
@require_right(Right.DOCUMENTS)
def duplicate_requests(request: CompanyRequest, company_id: int) -> HttpResponse:
    return render(
        request,
        "documents/duplicate_requests.html",
        {
            "company": request.company,
            "page": Paginator(
                selectors.duplicate_requests(membership=request.membership).table_columns(),
                PAGE_SIZE,
            ).get_page(request.GET.get("page")),
        },
    )
