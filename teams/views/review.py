"""The access review: every member's rights and last activity, on a page and as a CSV."""

from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.http import current_user
from audit.services import client_ip
from core.downloads import content_download
from permissions.checks import CompanyRequest, require_company_admin
from teams.display import review_columns, review_rows
from teams.selectors import access_review as access_review_of
from teams.services import access_review_export
from teams.views.common import ACCESS_REVIEW


@require_GET
@require_company_admin
def access_review(request: CompanyRequest, company_id: int) -> HttpResponse:
    columns = review_columns()
    context = {
        "company": request.company,
        "columns": columns,
        "members": review_rows(
            company_id=request.company.pk,
            review=access_review_of(company=request.company),
            columns=columns,
        ),
        "back": ACCESS_REVIEW,
    }
    return render(request, "teams/access_review.html", context)


@require_GET
@require_company_admin
def access_review_csv(request: CompanyRequest, company_id: int) -> HttpResponseBase:
    export = access_review_export(
        company=request.company,
        actor=current_user(request),
        ip_address=client_ip(request),
        now=timezone.now(),
    )
    # who may do what in the company: kept by no shared cache nor the browser's
    return content_download(
        export.content, filename=export.filename, content_type="text/csv; charset=utf-8"
    )
