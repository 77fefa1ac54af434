"""Rachat anticipé: early purchase option (CBM) or termination with sale (LOCFI)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from audit.services import client_ip
from client_requests.forms.early_buyout import EarlyBuyoutForm
from client_requests.forms.fields import add_refusal
from client_requests.kinds import EARLY_BUYOUT_CONTRACT_KINDS, EARLY_BUYOUT_KINDS
from client_requests.selectors import eligible_contracts, requests_of_kinds
from client_requests.services import RequestRefused, early_buyout_request
from client_requests.views.common import filed, requests_page
from permissions.catalogue import Right
from permissions.checks import CompanyRequest, require_right


@require_http_methods(["GET", "POST"])
@require_right(Right.EARLY_BUYOUT)
def index(request: CompanyRequest, company_id: int) -> HttpResponse:
    posted = request.method == "POST"
    contracts = list(eligible_contracts(company=request.company, kinds=EARLY_BUYOUT_CONTRACT_KINDS))
    form = EarlyBuyoutForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        company=request.company,
        today=timezone.localdate(),
        eligible=contracts,
    )
    if posted and form.is_valid():
        try:
            client_request = early_buyout_request(
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
                success=_("Votre demande n° %(number)s (%(kind)s) est transmise à la banque."),
                url_name="client_requests:early_buyout",
            )
    context = {
        "company": request.company,
        "form": form,
        "contracts": contracts,
        "page": requests_page(
            request, requests_of_kinds(membership=request.membership, kinds=EARLY_BUYOUT_KINDS)
        ),
    }
    return render(request, "client_requests/early_buyout/index.html", context)
