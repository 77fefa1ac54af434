"""Mes équipes: the team, a member's page, their rights, suspension and removal, the access
review."""

from teams.views.members import member_reactivate_view, member_remove_view, member_suspend_view
from teams.views.review import access_review, access_review_csv
from teams.views.rights import (
    rights_remove_confirmed,
    rights_request,
    rights_review,
    rights_send_code,
    rights_sign,
)
from teams.views.team import member, team

__all__ = [
    "access_review",
    "access_review_csv",
    "member",
    "member_reactivate_view",
    "member_remove_view",
    "member_suspend_view",
    "rights_remove_confirmed",
    "rights_request",
    "rights_review",
    "rights_send_code",
    "rights_sign",
    "team",
]
