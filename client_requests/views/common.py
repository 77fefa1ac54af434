"""What the section views share: back to the section's page once a request is filed."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse

from client_requests.models import ClientRequest
from permissions.checks import CompanyRequest


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
