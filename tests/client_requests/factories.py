"""Requests, attachments and real small files (a PDF that opens, PNG and JPEG images)."""

import io
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from client_requests.kinds import COMPANY_REQUEST_KINDS, AttachmentPurpose, RequestKind
from client_requests.models import ClientRequest
from client_requests.services import NewFile, request_create
from client_requests.services.common import _file
from client_requests.uploads import check_upload
from companies.models import Contract, Membership


def pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _image_bytes(fmt: str) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 107, 112)).save(buffer, format=fmt)
    return buffer.getvalue()


def png_bytes() -> bytes:
    return _image_bytes("PNG")


def jpeg_bytes() -> bytes:
    return _image_bytes("JPEG")


def upload(
    name: str = "justificatif.pdf", content: bytes | None = None, content_type: str = ""
) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, pdf_bytes() if content is None else content, content_type=content_type
    )


def new_file(
    name: str = "justificatif.pdf",
    content: bytes | None = None,
    purpose: AttachmentPurpose = AttachmentPurpose.SUPPORTING,
) -> NewFile:
    uploaded = upload(name, content)
    return NewFile(upload=uploaded, checked=check_upload(uploaded), purpose=purpose)


def make_request(
    *,
    membership: Membership,
    kind: RequestKind = RequestKind.NEW_CONTRACT,
    contract: Contract | None = None,
    details: dict[str, Any] | None = None,
    message: str = "Nous souhaitons financer un nouveau véhicule utilitaire.",
    submit: bool = False,
    files: tuple[NewFile, ...] = (),
    fee: Decimal = Decimal("0"),
) -> ClientRequest:
    """A request of "Demandes de l'entreprise" filed through its service, as its page would; a
    request of another kind is stored as its section's service would store it once its rules
    passed (those rules have their own tests), so that any state can be set up."""
    if details is None:
        details = {"subject": "Crédit-bail véhicule"}
    if kind in COMPANY_REQUEST_KINDS and not fee:
        return request_create(
            membership=membership,
            kind=kind,
            contract=contract,
            details=details,
            message=message,
            files=files,
            submit=submit,
        )
    return _file(
        membership=membership,
        kind=kind,
        contract=contract,
        details=details,
        message=message,
        fee=fee,
        files=files,
        submit=submit,
        ip_address=None,
        now=timezone.now(),
    )
