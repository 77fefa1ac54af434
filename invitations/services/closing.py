"""An invitation that will not be accepted as signed closes its access authorisation."""

import datetime

from invitations.models import Invitation
from otp.models import ClosingReason
from otp.services import authorisation_close


def close_signed_authorisation(
    invitation: Invitation, *, reason: ClosingReason, now: datetime.datetime
) -> None:
    """Close the authorisation this invitation was signed with, if it was and it is still open."""
    if invitation.authorisation_id is None:
        return
    authorisation_close(
        company_id=invitation.company_id,
        subject_email=invitation.email,
        reason=reason,
        now=now,
        authorisation_id=invitation.authorisation_id,
    )
