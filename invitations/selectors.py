from invitations.models import Invitation
from portal.models import User
from teams.models import Company


def company_invitation(*, company: Company, invitation_id: int) -> Invitation | None:
    """One invitation of the company, or None: another company's invitation looks missing."""
    return (
        Invitation.objects.select_related("company", "challenge", "invited_by")
        .filter(company=company, pk=invitation_id)
        .first()
    )


def account_exists(*, email: str) -> bool:
    return User.objects.filter(email__iexact=email).exists()
