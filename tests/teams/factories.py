"""Rights changes made through the services, the way the product makes them."""

import datetime

from companies.models import Membership
from teams import services
from teams.models import RightsChange
from tests.invitations.factories import IP, USER_AGENT
from tests.otp.factories import NOW, last_code


def request_change(
    admin: Membership, member: Membership, *rights: str, now: datetime.datetime = NOW
) -> RightsChange:
    return services.rights_change_request(
        membership_id=member.pk,
        company=admin.company,
        requested_by=admin.user,
        rights=rights,
        now=now,
    )


def request_code(admin: Membership, change: RightsChange, *, now: datetime.datetime = NOW):
    return services.rights_change_request_code(
        change_id=change.pk,
        membership_id=change.membership_id,
        company=admin.company,
        signer=admin.user,
        ip_address=IP,
        now=now,
    )


def sign(
    admin: Membership,
    change: RightsChange,
    *,
    code: str | None = None,
    now: datetime.datetime = NOW,
) -> RightsChange:
    return services.rights_change_sign(
        change_id=change.pk,
        membership_id=change.membership_id,
        company=admin.company,
        signer=admin.user,
        code=last_code() if code is None else code,
        ip_address=IP,
        user_agent=USER_AGENT,
        now=now,
    )
