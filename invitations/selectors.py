import datetime

from django.db.models import Count, QuerySet, Window
from django.utils import timezone

from accounts.models import User
from companies.models import Company
from core.paging import PAGE_SIZE, Page
from invitations.models import Invitation, InvitationBatch, InvitationStatus


def company_invitation(*, company: Company, invitation_id: int) -> Invitation | None:
    """One invitation of the company, or None: another company's invitation looks missing."""
    return (
        Invitation.objects.select_related("company", "challenge", "invited_by")
        .filter(company=company, pk=invitation_id)
        .first()
    )


def company_batch(*, company: Company, batch_id: int) -> InvitationBatch | None:
    """One batch of the company, or None: another company's batch looks missing."""
    return (
        InvitationBatch.objects.select_related("company", "challenge")
        .filter(company=company, pk=batch_id)
        .first()
    )


def batch_members(batch: InvitationBatch) -> list[Invitation]:
    """The invitations the batch's code signs: those still awaiting it, by email."""
    return list(
        batch.invitations.filter(status=InvitationStatus.AWAITING_SIGNATURE)
        .select_related("company")
        .order_by("email", "pk")
    )


def batch_to_sign(
    *, company: Company, batch_id: int
) -> tuple[InvitationBatch | None, list[Invitation]]:
    """The company's batch and the members its code signs, in one query while it has some
    (the page of a 500-person batch stays a few queries); another company's batch looks missing."""
    members = list(
        Invitation.objects.filter(
            company=company, batch_id=batch_id, status=InvitationStatus.AWAITING_SIGNATURE
        )
        .select_related("company", "batch", "batch__company", "batch__challenge")
        .order_by("email", "pk")
    )
    if not members:
        return company_batch(company=company, batch_id=batch_id), []
    batch = members[0].batch
    for member in members:
        member.batch = batch
    return batch, members


def account_exists(*, email: str) -> bool:
    return User.objects.filter(email__iexact=email).exists()


def open_invitations(
    *, company: Company, now: datetime.datetime | None = None
) -> QuerySet[Invitation]:
    """The invitations still under way, and those that expired lately (they can be resent)."""
    return (
        Invitation.objects.listed(now=now or timezone.now())
        .filter(company=company)
        .select_related("invited_by")
        .order_by("-created_at", "-pk")
    )


def open_invitations_first_page(*, company: Company, now: datetime.datetime) -> Page[Invitation]:
    """The first page of Mes équipes' invitations, as the list shows it, each row carrying how
    many there are (one query)."""
    invitations = open_invitations(company=company, now=now)
    rows: list[Invitation] = list(invitations.annotate(listed=Window(Count("pk")))[:PAGE_SIZE])
    return Page(rows=rows, number=1, count=getattr(rows[0], "listed", 0) if rows else 0)
