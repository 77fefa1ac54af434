"""Journal d’activité: the company's audit events for its administrators, and their CSV."""

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from audit.forms import JournalFilterForm
from audit.journal import JournalFilters, journal_csv, journal_members, journal_page
from audit.sentences import sentence, shown_ip
from companies.models import Membership
from permissions.checks import CompanyRequest, require_company_admin


def _filters(request: CompanyRequest) -> tuple[JournalFilterForm, JournalFilters]:
    members = journal_members(company=request.company)
    form = JournalFilterForm(request.GET or None, members=members)
    if not form.is_bound:
        return form, JournalFilters()
    form.is_valid()  # a bad field is shown beside its input; the valid ones still filter
    data = form.cleaned_data
    by_pk: dict[int, Membership] = {m.pk: m for m in members}
    return form, JournalFilters(
        person=by_pk.get(data.get("person") or 0),
        kind=data.get("kind") or "",
        since=data.get("since"),
        until=data.get("until"),
    )


@require_GET
@require_company_admin
def journal(request: CompanyRequest, company_id: int) -> HttpResponse:
    form, filters = _filters(request)
    page = journal_page(
        company=request.company, filters=filters, page_number=request.GET.get("page")
    )
    context = {
        "company": request.company,
        "form": form,
        "filtered": filters.any,
        "page": page,
        "rows": [(event, sentence(event), shown_ip(event)) for event in page.events],
    }
    template = "audit/journal.html"
    # a history restore (back button, cache missed) needs the whole page
    if request.htmx and not request.htmx.history_restore_request:
        template += "#journal-results"
    response = render(request, template, context)
    # the same URL answers a whole page or, to htmx, the results: caches keep them apart
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_GET
@require_company_admin
def journal_export(request: CompanyRequest, company_id: int) -> StreamingHttpResponse:
    _form, filters = _filters(request)
    response = StreamingHttpResponse(
        journal_csv(company=request.company, filters=filters),
        content_type="text/csv; charset=utf-8",
    )
    day = timezone.localdate()
    name = f"journal-{request.company.siren}-{day:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
