"""The periodic access review: opened when due, drafted member by member, signed once."""

from reviews.services.contents import (
    HeldRight,
    MemberLine,
    ReviewContents,
    review_contents,
    signature_payload,
    signature_statement,
)
from reviews.services.drafting import review_decision_save
from reviews.services.exceptions import ReviewRefused
from reviews.services.pdf import review_filename, review_pdf_file, review_pdf_store
from reviews.services.schedule import (
    access_review_due_notify,
    access_review_open,
    access_review_remind,
    access_review_reminders_send,
    access_reviews_open,
    iso_week,
)
from reviews.services.signing import review_request_code, review_sign

__all__ = [
    "HeldRight",
    "MemberLine",
    "ReviewContents",
    "ReviewRefused",
    "access_review_due_notify",
    "access_review_open",
    "access_review_remind",
    "access_review_reminders_send",
    "access_reviews_open",
    "iso_week",
    "review_contents",
    "review_decision_save",
    "review_filename",
    "review_pdf_file",
    "review_pdf_store",
    "review_request_code",
    "review_sign",
    "signature_payload",
    "signature_statement",
]
