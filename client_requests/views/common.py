"""What the section views share: filing a valid form's request, then back to the section's page."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse

from client_requests.forms.fields import add_refusal
from client_requests.models import ClientRequest
from client_requests.services import RequestRefused
from permissions.checks import CompanyRequest


def section_url(request: CompanyRequest, url_name: str) -> str:
    return reverse(url_name, args=[request.company.pk]) + "#contenu"


def file_request(
    request: CompanyRequest,
    form: forms.Form,
    file: Callable[[], ClientRequest],
    *,
    success: str,
    url_name: str,
) -> HttpResponse | None:
    """Call the service that files the request: on success, say so (`success` may name the
    request's %(number)s and %(kind)s) and go back to the section's page; on a refusal, show it
    beside the form and return None so that the view renders the page again."""
    try:
        client_request = file()
    except RequestRefused as refusal:
        add_refusal(form, refusal)
        return None
    messages.success(
        request,
        success % {"number": client_request.pk, "kind": client_request.get_kind_display()},
    )
    return HttpResponseRedirect(section_url(request, url_name))
