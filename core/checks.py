"""Checks that refuse to start a deployment missing something the product cannot work without."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register


@register()
def pdf_seal_configured(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """With DEBUG off, the bank's seal must be given: an unsealed authorisation proves nothing."""
    if settings.DEBUG and not settings.PDF_SEAL_PKCS12:
        return []  # a development seal is made under var/seal on first use
    if not settings.PDF_SEAL_PKCS12:
        return [
            Error(
                "PDF_SEAL_PKCS12 is not set: access authorisations cannot be sealed.",
                hint="Set PDF_SEAL_PKCS12 (the bank's seal, a PKCS#12 file) and "
                "PDF_SEAL_PASSPHRASE, or DJANGO_DEBUG=true for a development seal.",
                id="core.E001",
            )
        ]
    if not Path(settings.PDF_SEAL_PKCS12).is_file():
        return [
            Error(
                f"PDF_SEAL_PKCS12 names {settings.PDF_SEAL_PKCS12}, which is not a readable file.",
                id="core.E002",
            )
        ]
    return []
