"""The access authorisations a page lists or a download hands out, always filtered by who asks."""

import uuid

from django.db.models import QuerySet
from django.db.models.functions import Lower

from companies.models import Company
from otp.models import AccessAuthorisation


def _with_document() -> QuerySet[AccessAuthorisation]:
    return AccessAuthorisation.objects.select_related("company", "signer")


def company_authorisation(
    *, company: Company, authorisation_id: uuid.UUID
) -> AccessAuthorisation | None:
    """One of the company's authorisations, or None: another company's looks missing."""
    return _with_document().filter(company=company, pk=authorisation_id).first()


def subject_authorisations(*, company: Company, email: str) -> QuerySet[AccessAuthorisation]:
    """The versions of one person's authorisation in the company, the latest first."""
    return (
        AccessAuthorisation.objects.alias(email=Lower("subject_email"))
        .filter(company=company, email=email.lower())
        .only(
            "company_id",
            "kind",
            "rights",
            "signed_at",
            "version",
            "closed_at",
            "closed_reason",
            "subject_email",
        )
        .order_by("-version")
    )


def own_authorisations(*, email: str) -> QuerySet[AccessAuthorisation]:
    """The authorisations that name this person, in every company, by company then latest first."""
    return (
        AccessAuthorisation.objects.alias(email=Lower("subject_email"))
        .filter(email=email.lower())
        .select_related("company", "signer")
        .order_by("company__name", "company_id", "-version")
    )


def own_authorisation(*, email: str, authorisation_id: uuid.UUID) -> AccessAuthorisation | None:
    """One authorisation that names this person, or None: someone else's looks missing."""
    return own_authorisations(email=email).filter(pk=authorisation_id).first()


def any_authorisation(*, authorisation_id: uuid.UUID) -> AccessAuthorisation | None:
    """For the bank's support desk (the Django admin) only."""
    return _with_document().filter(pk=authorisation_id).first()
