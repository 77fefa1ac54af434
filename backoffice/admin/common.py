"""What every four-eyes admin page shares: making a proposal, and its message."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.http import current_user
from accounts.models import User
from audit.services import client_ip
from backoffice.kinds import ProposalRefused
from backoffice.services import (
    proposal_make,
)
from companies.models import Membership, MembershipStatus, Role

SENT_FOR_APPROVAL = gettext_lazy(
    "Proposition enregistrée : elle s’appliquera quand un second agent du support l’aura "
    "approuvée (dans les 24 heures), depuis « Propositions du support »."
)


def propose(request: HttpRequest, **kwargs: Any) -> bool:
    """Make a proposal from an admin page; its refusal becomes the page's message."""
    try:
        proposal_make(
            proposer=current_user(request),
            ip_address=client_ip(request),
            now=timezone.now(),
            **kwargs,
        )
    except ProposalRefused as refused:
        messages.error(request, refused.message)
        return False
    messages.warning(request, str(SENT_FOR_APPROVAL))
    return True


def admin_company(user: User) -> Any:
    membership = (
        Membership.objects.filter(user=user, role=Role.ADMIN, status=MembershipStatus.ACTIVE)
        .select_related("company")
        .order_by("pk")
        .first()
    )
    return membership.company if membership else None
