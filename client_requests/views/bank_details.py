"""Changement de RIB: a request with a proof of power; the RIB changes when support validates."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from audit.services import client_ip
from client_requests.display import iban_masked
from client_requests.forms.bank_details import BankDetailsForm
from client_requests.forms.fields import add_refusal
from client_requests.kinds import BANK_DETAILS_KINDS
from client_requests.selectors import open_bank_details_change, requests_of_kinds
from client_requests.services import RequestRefused, bank_details_change_request
from client_requests.views.common import filed, requests_page
from permissions.catalogue import Right
from permissions.checks import CompanyRequest, require_right


@require_http_methods(["GET", "POST"])
@require_right(Right.BANK_DETAILS)
def index(request: CompanyRequest, company_id: int) -> HttpResponse:
    posted = request.method == "POST"
    form = BankDetailsForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        try:
            client_request = bank_details_change_request(
                membership=request.membership,
                ip_address=client_ip(request),
                **form.request_fields(),
            )
        except RequestRefused as refusal:
            add_refusal(form, refusal)
        else:
            return filed(
                request,
                client_request,
                success=_(
                    "Votre demande de changement de RIB n° %(number)s est transmise à la banque. "
                    "Le RIB de l’entreprise changera quand la banque l’aura validée."
                ),
                url_name="client_requests:bank_details",
            )
    company = request.company
    pending = open_bank_details_change(company=company)
    context = {
        "company": company,
        "form": form,
        "current_iban": iban_masked(company.iban),
        "pending": pending,
        "pending_iban": iban_masked(pending.details.get("iban", "")) if pending else "",
        "page": requests_page(
            request, requests_of_kinds(membership=request.membership, kinds=BANK_DETAILS_KINDS)
        ),
    }
    return render(request, "client_requests/bank_details/index.html", context)
