"""Gestion des fonds: four requests on CLUB contracts, a right that moves money (a disbursement
asks the bank to pay out); filing one only asks, the bank does the rest."""

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from audit.services import client_ip
from client_requests.forms.fields import add_refusal
from client_requests.forms.fund_operations import FUND_OPERATION_FORMS, FundOperationForm
from client_requests.kinds import FUND_OPERATION_CONTRACT_KINDS, FUND_OPERATION_KINDS
from client_requests.selectors import eligible_contracts, requests_of_kinds
from client_requests.services import RequestRefused, fund_operation_request
from client_requests.views.common import filed, requests_page
from permissions.catalogue import Right
from permissions.checks import CompanyRequest, require_right


@require_http_methods(["GET", "POST"])
@require_right(Right.FUND_OPERATIONS)
def index(request: CompanyRequest, company_id: int) -> HttpResponse:
    today = timezone.localdate()
    contracts = list(
        eligible_contracts(company=request.company, kinds=FUND_OPERATION_CONTRACT_KINDS)
    )
    forms: dict[str, FundOperationForm] = {
        prefix: form_class(company=request.company, today=today, prefix=prefix, eligible=contracts)
        for prefix, form_class in FUND_OPERATION_FORMS.items()
    }
    if request.method == "POST":
        prefix = request.POST.get("operation", "")
        if prefix not in FUND_OPERATION_FORMS:
            return HttpResponseBadRequest(_("Opération inconnue."))
        if not contracts:
            # the page offers no form then: its errors would have nowhere to show
            messages.error(
                request,
                _(
                    "Votre demande n’a pas été transmise : l’entreprise n’a aucun crédit CLUB en "
                    "cours, et les opérations sur les fonds ne sont possibles que sur ces crédits."
                ),
            )
        else:
            form = forms[prefix] = FUND_OPERATION_FORMS[prefix](
                request.POST,
                company=request.company,
                today=today,
                prefix=prefix,
                eligible=contracts,
            )
            if form.is_valid():
                try:
                    client_request = fund_operation_request(
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
                            "Votre demande n° %(number)s (%(kind)s) est transmise à la banque. "
                            "Aucun fonds ne bouge avant sa réponse."
                        ),
                        url_name="client_requests:fund_operations",
                    )
    context = {
        "company": request.company,
        "contracts": contracts,
        "forms": forms,
        "page": requests_page(
            request, requests_of_kinds(membership=request.membership, kinds=FUND_OPERATION_KINDS)
        ),
    }
    return render(request, "client_requests/fund_operations/index.html", context)
