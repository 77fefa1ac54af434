"""`make run`'s first step for the seal: a development CA and seal certificate under var/seal/."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.seal_material import development_seal_ensure


class Command(BaseCommand):
    help = "Create the development CA and PDF seal under var/seal/ if missing (DEBUG only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PDF_SEAL_PKCS12:
            self.stdout.write(f"PDF seal: {settings.PDF_SEAL_PKCS12} (PDF_SEAL_PKCS12).")
            return
        if not settings.DEBUG:
            raise CommandError("A development seal is for DEBUG only: set PDF_SEAL_PKCS12.")
        directory = Path(settings.PDF_SEAL_DEVELOPMENT_DIR)
        material, created = development_seal_ensure(directory, bank=settings.BANK_NAME)
        verb = "created" if created else "kept"
        self.stdout.write(
            f"Development PDF seal {verb}: {material.pkcs12} (CA certificate to trust: "
            f"{material.ca_certificate}). Never use it in production."
        )
