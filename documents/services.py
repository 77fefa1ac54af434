"""Every write of the documents section: the bank adds a document, a member downloads one or asks
for a duplicate."""

import contextlib

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import audit_record
from client_requests.models import ClientRequest, private_storage
from client_requests.services import RequestRefused, duplicate_request
from client_requests.uploads import check_upload
from companies.models import Contract, Membership
from documents.exports import amortisation_pdf, amortisation_pdf_name
from documents.models import ContractDocument, DocumentKind


def amortisation_pdf_file(*, contract: Contract) -> File:
    """The contract's amortisation table as a PDF, rendered once per set of terms (about a second
    of WeasyPrint) and kept in private storage; the file of earlier terms is removed."""
    storage = storages["private"]
    name = amortisation_pdf_name(contract=contract)
    if not storage.exists(name):
        storage.save(name, ContentFile(amortisation_pdf(contract=contract)))
        # what earlier terms left, and the copy of a first download made at the same time
        folder = name.rsplit("/", 1)[0]
        for other in storage.listdir(folder)[1]:
            if f"{folder}/{other}" != name:
                with contextlib.suppress(FileNotFoundError):
                    storage.delete(f"{folder}/{other}")
    return storage.open(name, "rb")


def document_add(
    *,
    contract: Contract,
    title: str,
    kind: DocumentKind | str,
    upload: UploadedFile,
) -> ContractDocument:
    """Store a document of a contract under a random name; its content decides its type (checked
    here by `check_upload`, the check the admin's form runs for its message)."""
    checked = check_upload(upload)
    document = ContractDocument(
        contract=contract,
        title=title,
        kind=kind,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
    )
    upload.seek(0)
    document.file.save(checked.original_name, upload, save=False)
    try:
        with transaction.atomic():
            document.save()
    except BaseException:
        private_storage().delete(str(document.file.name))
        raise
    return document


def document_download_record(
    *, membership: Membership, document: ContractDocument, ip_address: str | None
) -> None:
    audit_record(
        action=Action.DOCUMENT_DOWNLOADED,
        actor=membership.user,
        company=membership.company,
        target=document.contract,
        ip_address=ip_address,
        data={"document": document.pk, "sha256": document.sha256, "title": document.title},
    )


def duplicate_request_create(
    *,
    membership: Membership,
    contract: Contract,
    document: ContractDocument | None,
    message: str,
    ip_address: str | None,
) -> ClientRequest:
    """Ask the bank for a duplicate of a document, or of the whole contract; the fee is recorded."""
    if document is not None and document.contract_id != contract.pk:
        raise RequestRefused(_("Ce document n’appartient pas à ce contrat."), field="document")
    return duplicate_request(
        membership=membership,
        contract=contract,
        title=_("Contrat complet") if document is None else document.title,
        message=message,
        ip_address=ip_address,
    )
