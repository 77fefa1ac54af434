"""Copy the private files of a folder into the store the settings name (PRIVATE_STORAGE), checking
each one's SHA-256 as read back from the store. Run again, it copies nothing twice."""

import hashlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from core.storage import CHUNK_SIZE, file_sha256, private_backend


def _sha256_of_path(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while piece := source.read(CHUNK_SIZE):
            digest.update(piece)
    return digest.hexdigest()


class Command(BaseCommand):
    help = (
        "Copies every private file of a folder (PRIVATE_MEDIA_ROOT by default) into the store "
        "PRIVATE_STORAGE names, under the same name, and checks each one's SHA-256. Files "
        "already there with the same content are left alone; the folder is not changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--source", help="the folder to copy from (default: PRIVATE_MEDIA_ROOT)", default=""
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["source"] or settings.PRIVATE_MEDIA_ROOT).resolve()
        if settings.PRIVATE_STORAGE == "filesystem" and (
            source == Path(settings.PRIVATE_MEDIA_ROOT).resolve()
        ):
            raise CommandError(
                "PRIVATE_STORAGE is filesystem and its folder is the source: nothing to move. "
                "Set PRIVATE_STORAGE=database (or another PRIVATE_MEDIA_ROOT) first."
            )
        if not source.is_dir():
            raise CommandError(f"No folder {source}.")
        store = private_backend()
        counts = {"copied": 0, "already": 0, "conflicts": 0, "failed": 0}
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            name = path.relative_to(source).as_posix()
            expected = _sha256_of_path(path)
            if store.exists(name):
                with store.open(name, "rb") as stored:
                    present = file_sha256(stored)
                if present == expected:
                    counts["already"] += 1
                else:
                    counts["conflicts"] += 1
                    self.stderr.write(f"{name}: another content is already stored under this name")
                continue
            with transaction.atomic():
                with path.open("rb") as content:
                    backend: Any = store
                    # the same name: the rows that name the file keep pointing at it
                    backend._save(name, File(content, name=name))
                with store.open(name, "rb") as stored:
                    copied = file_sha256(stored)
                if copied != expected:
                    transaction.set_rollback(True)
            if copied == expected:
                counts["copied"] += 1
            else:
                counts["failed"] += 1
                self.stderr.write(f"{name}: SHA-256 differs once stored; not kept")
        self.stdout.write(
            "Copied: {copied}; already in the store: {already}; conflicts: {conflicts}; "
            "failed: {failed}.".format(**counts)
        )
        if counts["conflicts"] or counts["failed"]:
            raise CommandError("Some files were not moved (see above).")
