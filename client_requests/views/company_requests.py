"""Demandes de l'entreprise: the company's requests for contracts, products and amendments."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from audit.services import client_ip
from client_requests.forms.company_requests import CompanyRequestForm
from client_requests.forms.fields import add_refusal
from client_requests.kinds import COMPANY_REQUEST_KINDS, RequestKind
from client_requests.selectors import requests_of_kinds
from client_requests.services import RequestRefused, request_create
from permissions.catalogue import Right
from permissions.checks import CompanyRequest, require_right

PAGE_SIZE = 20


@require_http_methods(["GET", "POST"])
@require_right(Right.COMPANY_REQUESTS)
def index(request: CompanyRequest, company_id: int) -> HttpResponse:
    form = CompanyRequestForm(
        request.POST or None,
        request.FILES or None,
        company=request.company,
    )
    if request.method == "POST" and form.is_valid():
        try:
            client_request = request_create(
                membership=request.membership,
                kind=RequestKind(form.cleaned_data["kind"]),
                contract=form.cleaned_data["contract"],
                details={"subject": form.cleaned_data["subject"]},
                message=form.cleaned_data["description"],
                files=form.files_to_store(),
                submit=form.submitting,
                ip_address=client_ip(request),
                now=timezone.now(),
            )
        except RequestRefused as refusal:
            add_refusal(form, refusal)
        else:
            if form.submitting:
                messages.success(request, _("Votre demande est soumise à la banque."))
            else:
                messages.success(
                    request,
                    _(
                        "Le brouillon est enregistré : vous ou un autre membre pourrez le compléter "
                        "et le soumettre."
                    ),
                )
            return HttpResponseRedirect(
                reverse(
                    "client_requests:detail",
                    kwargs={"company_id": request.company.pk, "request_id": client_request.pk},
                )
            )
    context = {
        "company": request.company,
        "form": form,
        "page": Paginator(
            requests_of_kinds(
                membership=request.membership, kinds=COMPANY_REQUEST_KINDS
            ).table_columns(),
            PAGE_SIZE,
        ).get_page(request.GET.get("page")),
    }
    return render(
        request,
        "client_requests/company_requests.html",
        context,
        status=400 if form.is_bound and form.errors else 200,
    )
