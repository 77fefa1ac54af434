from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from permissions.checks import CompanyRequest, require_membership


@require_GET
@require_membership
def index(request: CompanyRequest, company_id: int) -> HttpResponse:
    return render(
        request,
        "portal/section_wip.html",
        {"company": request.company, "title": "Suivi des demandes"},
    )
