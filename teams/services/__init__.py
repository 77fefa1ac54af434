"""The team of a company: its members' rights, suspension and removal."""

from teams.services.end_dates import (
    grant_end_notice,
    grant_end_notices_send,
    grants_expire,
    member_grants_expire,
)
from teams.services.exceptions import TeamRefused
from teams.services.members import (
    member_reactivate,
    member_remove,
    member_suspend,
)
from teams.services.notifications import rights_change_notices_queue
from teams.services.review import ReviewExport, access_review_export
from teams.services.rights import (
    RightsDiff,
    member_rights,
    rights_change_request,
    rights_change_request_code,
    rights_change_sign,
    rights_diff,
    rights_remove,
    signature_payload,
    signature_statement,
)
from teams.services.support import (
    membership_add_by_support,
    membership_rights_set_by_support,
    membership_set_by_support,
    memberships_removal_refusal,
    memberships_remove_by_support,
)

__all__ = [
    "ReviewExport",
    "RightsDiff",
    "TeamRefused",
    "access_review_export",
    "grant_end_notice",
    "grant_end_notices_send",
    "grants_expire",
    "member_grants_expire",
    "member_reactivate",
    "member_remove",
    "member_rights",
    "member_suspend",
    "membership_add_by_support",
    "membership_rights_set_by_support",
    "membership_set_by_support",
    "memberships_removal_refusal",
    "memberships_remove_by_support",
    "rights_change_notices_queue",
    "rights_change_request",
    "rights_change_request_code",
    "rights_change_sign",
    "rights_diff",
    "rights_remove",
    "signature_payload",
    "signature_statement",
]
