"""`manage.py verify_audit`: recompute the audit chain and report the first event that does not
match, or "chaîne intègre : N événements". Bounded memory: a server-side cursor, 2,000 rows at a
time. Exit status 0 only when the chain holds."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.chain import chain_verify


def _expected(text: str) -> tuple[int, str]:
    event_id, _, chain_hash = text.partition(":")
    if not event_id.isdigit() or len(chain_hash) != 64:
        raise CommandError(f"--expect attend ID:EMPREINTE (64 caractères hexadécimaux) : {text}")
    return int(event_id), chain_hash.lower()


class Command(BaseCommand):
    help = "Verify the audit journal's hash chain (and chain heads written down earlier)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--expect",
            action="append",
            default=[],
            metavar="ID:HASH",
            help="a chain head from the daily log line: event ID must still have this hash",
        )
        parser.add_argument("--chunk-size", type=int, default=2000)

    def handle(self, *args: Any, **options: Any) -> None:
        expected = dict(_expected(text) for text in options["expect"])
        report = chain_verify(chunk_size=options["chunk_size"], expected=expected)
        if report.broken is not None:
            self.stdout.write(report.text)
            raise SystemExit(1)
        self.stdout.write(report.text)
