"""A signed access authorisation, made the way the product makes one: an invitation signed with
the SMS code. The SMS it took is cleared, so a test that checks that nothing was sent still can."""

from companies.models import Membership
from core import sms
from otp.models import AccessAuthorisation
from tests.invitations.factories import signed


def signed_authorisation(
    admin: Membership, *, email: str = "signee@partenaire.example"
) -> AccessAuthorisation:
    if not admin.user.mobile:
        admin.user.mobile = "+33612345678"
        admin.user.save(update_fields=["mobile"])
    invitation = signed(admin, email=email)
    sms.outbox.clear()
    assert invitation.authorisation is not None
    return invitation.authorisation
