"""What the section views share: back to the section's page once a request is filed."""

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import HttpResponseRedirect
from django.urls import reverse

from client_requests.models import ClientRequest, ClientRequestQuerySet
from permissions.checks import CompanyRequest

PAGE_SIZE = 20


def requests_page(request: CompanyRequest, requests: ClientRequestQuerySet) -> Page[ClientRequest]:
    """The page of a section's requests the URL asks for (a wrong number gives the last or first)."""
    return Paginator(requests.table_columns(), PAGE_SIZE).get_page(request.GET.get("page"))


def section_url(request: CompanyRequest, url_name: str) -> str:
    return reverse(url_name, args=[request.company.pk]) + "#contenu"


def filed(
    request: CompanyRequest, client_request: ClientRequest, *, success: str, url_name: str
) -> HttpResponseRedirect:
    """Say the request is filed (`success` may name the request's %(number)s and %(kind)s) and go
    back to the section's page."""
    messages.success(
        request,
        success % {"number": client_request.pk, "kind": client_request.get_kind_display()},
    )
    return HttpResponseRedirect(section_url(request, url_name))
