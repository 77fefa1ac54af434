"""The signed access authorisations of the company, as PDF documents, for its administrators."""

import uuid

from django.http import Http404
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_GET

from audit.services import client_ip
from core.downloads import content_download, file_download, missing_file_is_404
from otp.authorisation_pdf import authorisation_filename
from otp.proof import authorisation_proof_zip, proof_filename
from otp.selectors import company_authorisation
from otp.services import authorisation_download_record, authorisation_sealed_file
from permissions.checks import CompanyRequest, require_company_admin


@require_GET
@require_company_admin
@missing_file_is_404
def authorisation_download(
    request: CompanyRequest, company_id: int, authorisation_id: uuid.UUID
) -> HttpResponseBase:
    authorisation = company_authorisation(
        company=request.company, authorisation_id=authorisation_id
    )
    if authorisation is None:
        raise Http404
    authorisation_download_record(
        actor=request.user,
        authorisation=authorisation,
        ip_address=client_ip(request),
        via="company",
    )
    return file_download(
        authorisation_sealed_file(authorisation=authorisation),
        filename=authorisation_filename(authorisation),
        content_type="application/pdf",
    )


@require_GET
@require_company_admin
@missing_file_is_404
def authorisation_proof_download(
    request: CompanyRequest, company_id: int, authorisation_id: uuid.UUID
) -> HttpResponseBase:
    """The proof file (ZIP): sealed PDF, evidence, audit events and how to verify them."""
    authorisation = company_authorisation(
        company=request.company, authorisation_id=authorisation_id
    )
    if authorisation is None:
        raise Http404
    authorisation_download_record(
        actor=request.user,
        authorisation=authorisation,
        ip_address=client_ip(request),
        via="company",
        document="proof",
    )
    return content_download(
        authorisation_proof_zip(authorisation=authorisation),
        filename=proof_filename(authorisation),
        content_type="application/zip",
    )
