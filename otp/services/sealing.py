"""The sealed PDF of an access authorisation: rendered and sealed once, stored, then served as it is.

When: right after the signature commits, by the task `otp.tasks.authorisation_seal`, which
`authorisation_record` queues on commit. The signature never waits for WeasyPrint and pyHanko
(about a second), and the task has the lowest priority, so the invitation emails of the same
signature leave first. A download that comes before the task ran (a busy or stopped worker, a
broker that refused the task) renders and seals the file itself, the same way: never a 500 for a
missing file, and `manage.py seal_authorisations` seals whatever was missed. Where tasks run
in-process (`make run` without Redis) nothing is queued: the first download makes the file, so
the signature (of a batch of 500 too) does not wait for it.

The document is the evidence of what was signed, so it never changes once stored: it shows the
authorisation as signed (who, what, for whom, when, how), not its later life. A closure (a new
version, a revocation, a removal) is shown on the pages, in the audit journal and in the proof
file (`preuve.json`: `closed_at`, `closed_reason`), never by editing or replacing the sealed PDF.

Never two files for one authorisation: the PDF is rendered and sealed without any lock held, then
stored under the authorisation's row lock only if no file is recorded yet; a process that loses
the race (the task and a first download, or the task run twice) stores nothing and serves the
winner's file. The name in storage is chosen by the storage (`save` never overwrites), and the
row records it with the file's SHA-256.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.utils import timezone

from core.seal import seal_pdf
from otp.authorisation_pdf import authorisation_pdf
from otp.models import AccessAuthorisation

SEAL_REASON = "Autorisation d’accès signée — cachet de la banque"


def _storage() -> Storage:
    return storages["private"]


def authorisation_sealed_content(*, authorisation: AccessAuthorisation) -> bytes:
    """The authorisation's PDF with the bank's seal (not stored: see `authorisation_seal`)."""
    return seal_pdf(authorisation_pdf(authorisation=authorisation), reason=SEAL_REASON)


def authorisation_seal(*, authorisation_id: uuid.UUID) -> AccessAuthorisation:
    """The authorisation with its sealed PDF stored, produced now if it has none yet."""
    authorisation = AccessAuthorisation.objects.select_related("company", "signer").get(
        pk=authorisation_id
    )
    if authorisation.sealed_pdf:
        return authorisation
    # slow (render and seal): no lock held, no transaction open
    content = authorisation_sealed_content(authorisation=authorisation)
    with transaction.atomic():
        # lock: two first downloads at once must not both store a file
        locked = AccessAuthorisation.objects.select_for_update().get(pk=authorisation_id)
        if locked.sealed_pdf:
            authorisation.refresh_from_db()
            return authorisation
        name = _storage().save(f"authorisations/{authorisation.pk}.pdf", ContentFile(content))
        digest = hashlib.sha256(content).hexdigest()
        now = timezone.now()
        AccessAuthorisation.objects.filter(pk=authorisation_id).update(
            sealed_pdf=name, sealed_pdf_sha256=digest, sealed_at=now
        )
    authorisation.sealed_pdf, authorisation.sealed_pdf_sha256 = name, digest
    authorisation.sealed_at = now
    return authorisation


def authorisation_sealed_file(*, authorisation: AccessAuthorisation) -> File:
    """The stored sealed PDF opened for reading (produced first if needed): stream it."""
    if not authorisation.sealed_pdf:
        authorisation = authorisation_seal(authorisation_id=authorisation.pk)
    return _storage().open(authorisation.sealed_pdf, "rb")


def authorisation_sealed_bytes(*, authorisation: AccessAuthorisation) -> bytes:
    with authorisation_sealed_file(authorisation=authorisation) as file:
        return bytes(file.read())


def unsealed_authorisation_ids() -> Iterator[uuid.UUID]:
    yield from (
        AccessAuthorisation.objects.filter(sealed_pdf="")
        .order_by("signed_at")
        .values_list("pk", flat=True)
        .iterator(chunk_size=500)
    )
