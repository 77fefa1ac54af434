"""Gestion des fonds: four requests on CLUB contracts. Nothing here moves money."""

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from audit.services import client_ip
from client_requests.forms.fields import add_refusal
from client_requests.forms.fund_operations import FUND_OPERATION_FORMS, FundOperationForm
from client_requests.operations import (
    FUND_OPERATION_CONTRACT_KINDS,
    FUND_OPERATION_KINDS,
    eligible_contracts,
)
from client_requests.selectors import requests_of_kinds
from client_requests.services import RequestRefused, request_create
from permissions.catalogue import Right
from permissions.checks import CompanyRequest, require_right


def _page_url(request: CompanyRequest) -> str:
    return reverse("client_requests:fund_operations", args=[request.company.pk])


@require_http_methods(["GET", "POST"])
@require_right(Right.FUND_OPERATIONS)
def index(request: CompanyRequest, company_id: int) -> HttpResponse:
    today = timezone.localdate()
    forms: dict[str, FundOperationForm] = {
        prefix: form_class(company=request.company, today=today, prefix=prefix)
        for prefix, form_class in FUND_OPERATION_FORMS.items()
    }
    if request.method == "POST":
        prefix = request.POST.get("operation", "")
        if prefix not in FUND_OPERATION_FORMS:
            return HttpResponseBadRequest(_("Opération inconnue."))
        form = FUND_OPERATION_FORMS[prefix](
            request.POST, company=request.company, today=today, prefix=prefix
        )
        forms[prefix] = form
        if form.is_valid():
            try:
                client_request = request_create(
                    membership=request.membership,
                    kind=form.kind,
                    contract=form.cleaned_data["contract"],
                    details=form.details(),
                    submit=True,
                    ip_address=client_ip(request),
                )
            except RequestRefused as refusal:
                add_refusal(form, refusal)
            else:
                messages.success(
                    request,
                    _(
                        "Votre demande n° %(number)s (%(kind)s) est transmise à la banque. "
                        "Aucun fonds ne bouge avant sa réponse."
                    )
                    % {"number": client_request.pk, "kind": client_request.get_kind_display()},
                )
                return HttpResponseRedirect(_page_url(request) + "#contenu")
    context = {
        "company": request.company,
        "contracts": eligible_contracts(
            company=request.company, kinds=FUND_OPERATION_CONTRACT_KINDS
        ),
        "forms": forms,
        "requests": requests_of_kinds(membership=request.membership, kinds=FUND_OPERATION_KINDS),
    }
    return render(request, "client_requests/fund_operations/index.html", context)
