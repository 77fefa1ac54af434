"""The signed access authorisation as a printable A4 PDF, in French.

documents/exports.py renders the amortisation table the same way (a template and its own
stylesheet, WeasyPrint imported when a PDF is asked for) but keeps no shared helper to reuse.
"""

from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import get_valid_filename
from webauthn.helpers import bytes_to_base64url

from otp.models import AccessAuthorisation
from permissions.end_dates import dated_specs

PDF_STYLESHEET = Path(__file__).resolve().parent / "pdf" / "authorisation.css"


def authorisation_pdf(*, authorisation: AccessAuthorisation) -> bytes:
    # imported here: the portal starts (and its other pages work) on a machine without Pango
    from weasyprint import CSS, HTML

    signer = authorisation.signer
    html = render_to_string(
        "otp/authorisation_pdf.html",
        {
            "authorisation": authorisation,
            "company": authorisation.company,
            "signer_name": signer.get_full_name() or signer.email,
            "rights": dated_specs(authorisation.rights, authorisation.ends_on),
            "generated_at": timezone.now(),
            "credential_id": bytes_to_base64url(bytes(authorisation.credential_id)),
        },
    )
    return bytes(HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(PDF_STYLESHEET))]))


def authorisation_filename(authorisation: AccessAuthorisation) -> str:
    return get_valid_filename(
        f"autorisation-acces-{authorisation.company.siren}-v{authorisation.version}-"
        f"{str(authorisation.pk)[:8]}.pdf"
    )
