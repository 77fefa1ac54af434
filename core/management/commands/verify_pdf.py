"""`manage.py verify_pdf FILE`: is the bank's seal on this PDF valid, and by whom?"""

import logging
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.seal import SealStatus, seal_verify, trust_root_paths


class Command(BaseCommand):
    help = (
        "Verify the PAdES seal of a PDF: valid, altered, unknown or revoked certificate, unsigned "
        "or unreadable. Exit status 0 only when valid."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--trust",
            type=Path,
            action="append",
            help="a CA certificate (PEM) to trust; default: PDF_SEAL_TRUST_ROOTS "
            "(the development CA under DEBUG)",
        )
        parser.add_argument(
            "--crl", type=Path, action="append", help="a revocation list (DER) to check against"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # pyHanko logs a whole traceback for an unknown or revoked certificate: the report says it
        logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
        path: Path = options["file"]
        try:
            content = path.read_bytes()
            crls = [p.read_bytes() for p in options["crl"] or []]
        except OSError as error:
            self.stderr.write(f"{path}: illisible ({error.strerror})")
            raise SystemExit(2) from error
        roots = options["trust"] or trust_root_paths()
        report = seal_verify(content, trust_roots=roots, crls=crls)
        self.stdout.write(f"{path}: {report.status.value} — {report.text}")
        if report.signer:
            self.stdout.write(f"  cachet de : {report.signer}")
        if report.signed_at:
            self.stdout.write(f"  scellé le : {report.signed_at.isoformat()}")
        if report.detail:
            self.stdout.write(f"  détail : {report.detail}")
        if report.status != SealStatus.VALID:
            raise SystemExit(1)
