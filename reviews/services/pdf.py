"""The signed review as an A4 PDF sealed by the bank, stored once in private storage.

Like the access authorisations (otp.services.sealing): rendered and sealed right after the
signature commits, by the task `reviews.tasks.review_pdf_store` that `review_sign` queues on commit
(at the lowest priority), so the signature never waits for WeasyPrint and pyHanko. A download that
comes before the task ran (a busy or stopped worker, a broker that refused the task, tasks run
in-process under `make run`) renders and seals the file itself: never a 500 for a missing file.
Rendering and sealing happen without a lock or a transaction open; the file is stored under the
review's row lock only if none is recorded yet, so the task run twice, or the task and a first
download at once, keep one file (the loser serves the winner's).
"""

import datetime
import hashlib
from pathlib import Path

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import get_valid_filename

from core.seal import seal_pdf
from otp.authorisation_pdf import PDF_STYLESHEET
from permissions.catalogue import Right, specs_for
from reviews.models import AccessReview, ReviewStatus

REVIEW_STYLESHEET = Path(__file__).resolve().parent.parent / "pdf" / "review.css"
SEAL_REASON = "Revue périodique des accès signée — cachet de la banque"


def _storage() -> Storage:
    return storages["private"]


def _rights(codes: list[list[str | None]]) -> list[dict[str, object]]:
    known = [(code, ends_on) for code, ends_on in codes if code in Right.values]
    return [
        {"spec": spec, "ends_on": datetime.date.fromisoformat(ends_on) if ends_on else None}
        for spec, (_code, ends_on) in zip(specs_for([c for c, _e in known]), known, strict=True)
    ]


def review_pdf(*, review: AccessReview) -> bytes:
    """The signed review, in French, as a PDF (not sealed, not stored)."""
    # imported here: the portal starts (and its other pages work) on a machine without Pango
    from weasyprint import CSS, HTML

    members = [
        {**member, "rights": _rights(member["rights"]), "lost": specs_for(member["removed_rights"])}
        for member in review.members
    ]
    signer = review.signed_by
    html = render_to_string(
        "reviews/review_pdf.html",
        {
            "review": review,
            "company": review.company,
            "signer_name": (signer.get_full_name() or signer.email) if signer else "",
            "members": members,
            "generated_at": timezone.now(),
        },
    )
    stylesheets = [CSS(filename=str(PDF_STYLESHEET)), CSS(filename=str(REVIEW_STYLESHEET))]
    return bytes(HTML(string=html).write_pdf(stylesheets=stylesheets))


def review_filename(review: AccessReview) -> str:
    return get_valid_filename(f"revue-des-acces-{review.company.siren}-v{review.version}.pdf")


def review_pdf_store(*, review_id: int) -> AccessReview:
    """The signed review with its sealed PDF stored, produced now if it has none yet."""
    review = AccessReview.objects.select_related("company", "signed_by").get(
        pk=review_id, status=ReviewStatus.SIGNED
    )
    if review.pdf:
        return review
    # slow (render and seal): no lock held, no transaction open
    content = seal_pdf(review_pdf(review=review), reason=SEAL_REASON)
    with transaction.atomic():
        # lock: the task and a first download (or the task twice) must not both store a file
        locked = AccessReview.objects.select_for_update().get(pk=review_id)
        if locked.pdf:
            review.pdf, review.pdf_sha256 = locked.pdf, locked.pdf_sha256
            return review
        name = _storage().save(f"access_reviews/{review.pk}.pdf", ContentFile(content))
        digest = hashlib.sha256(content).hexdigest()
        AccessReview.objects.filter(pk=review_id).update(pdf=name, pdf_sha256=digest)
    review.pdf, review.pdf_sha256 = name, digest
    return review


def review_pdf_file(*, review: AccessReview) -> File:
    """The stored sealed PDF opened for reading (produced first if needed): stream it."""
    if not review.pdf:
        review = review_pdf_store(review_id=review.pk)
    return _storage().open(review.pdf, "rb")
