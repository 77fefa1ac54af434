"""The access review: every member's rights and last activity, on a page and as a CSV."""

from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.http import current_user
from audit.services import client_ip
from core.csv import csv_download
from permissions.checks import CompanyRequest, require_company_admin
from teams.display import counts_text, review_columns, review_lines, review_rows
from teams.selectors import access_review_page
from teams.services import access_review_export
from teams.views.common import ACCESS_REVIEW, member_filters, page_number, varies_with_htmx


@require_GET
@require_company_admin
def access_review(request: CompanyRequest, company_id: int) -> HttpResponse:
    form, filters = member_filters(request)
    found = access_review_page(
        company=request.company, filters=filters, number=page_number(request)
    )
    columns = review_columns()
    context = {
        "company": request.company,
        "filters": form,
        "narrowed": filters.narrows,
        "counts": counts_text(
            members=found.members_total,
            results=found.members.count if filters.narrows else None,
        ),
        "columns": columns,
        "members_page": found.members,
        "members": review_lines(
            review_rows(company_id=request.company.pk, members=found.members.rows, columns=columns),
            columns,
        ),
        "back": ACCESS_REVIEW,
    }
    template = "teams/access_review.html"
    # a history restore (back button, cache missed) needs the whole page
    if request.htmx and not request.htmx.history_restore_request:
        template += "#review-results"
    return varies_with_htmx(render(request, template, context))


@require_GET
@require_company_admin
def access_review_csv(request: CompanyRequest, company_id: int) -> HttpResponseBase:
    _form, filters = member_filters(request)
    export = access_review_export(
        company=request.company,
        actor=current_user(request),
        ip_address=client_ip(request),
        now=timezone.now(),
        filters=filters,
    )
    # who may do what in the company: kept by no shared cache nor the browser's
    return csv_download(export.rows, filename=export.filename)
