"""Mes autorisations d’accès: a person's own signed authorisations, from Mon compte."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audit.services import client_ip
from core.downloads import file_download, missing_file_is_404
from otp.authorisation_pdf import authorisation_filename
from otp.selectors import own_authorisation, own_authorisations
from otp.services import authorisation_download_record, authorisation_sealed_file

if TYPE_CHECKING:  # the user model's app sits above this one: annotations only
    from accounts.models import User


def _own_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, get_user_model())
    return user


@require_GET
def own_authorisations_page(request: HttpRequest) -> HttpResponse:
    """Mes autorisations d’accès: every signed authorisation that names me, in every company."""
    user = _own_user(request)
    return render(
        request,
        "otp/own_authorisations.html",
        {"authorisations": own_authorisations(email=user.email)},
    )


@require_GET
@missing_file_is_404
def own_authorisation_download(
    request: HttpRequest, authorisation_id: uuid.UUID
) -> HttpResponseBase:
    user = _own_user(request)
    # someone else's authorisation looks missing, even in a company of mine
    authorisation = own_authorisation(email=user.email, authorisation_id=authorisation_id)
    if authorisation is None:
        raise Http404
    authorisation_download_record(
        actor=user, authorisation=authorisation, ip_address=client_ip(request), via="account"
    )
    return file_download(
        authorisation_sealed_file(authorisation=authorisation),
        filename=authorisation_filename(authorisation),
        content_type="application/pdf",
    )
