from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django_htmx.middleware import HtmxDetails

from permissions.checks import CompanyRequest, require_company_admin
from teams.selectors import open_invitations, team_members


@require_GET
@require_company_admin
def team(request: CompanyRequest, company_id: int) -> HttpResponse:
    context = {
        "company": request.company,
        "members": team_members(company=request.company),
        "invitations": open_invitations(company=request.company),
    }
    htmx: HtmxDetails = request.htmx  # type: ignore[attr-defined]  # set by HtmxMiddleware
    template = "teams/team.html"
    if htmx:
        template += "#invitation-table"
    return render(request, template, context)
