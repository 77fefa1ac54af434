"""Every read the team pages make, always within one company."""

from teams.selectors.listing import (
    MONEY_RIGHTS,
    PAGE_SIZE,
    SORTS,
    MemberFilters,
    Page,
    ReviewPage,
    TeamPage,
    access_review_page,
    access_review_rows,
    granted_end_dates,
    granted_rights,
    matching_members,
    rights_changed_at,
    team_page,
    with_rights,
)
from teams.selectors.members import (
    member_for_page,
    pending_rights_change,
    rights_change_to_sign,
    team_member,
)

__all__ = [
    "MONEY_RIGHTS",
    "PAGE_SIZE",
    "SORTS",
    "MemberFilters",
    "Page",
    "ReviewPage",
    "TeamPage",
    "access_review_page",
    "access_review_rows",
    "granted_end_dates",
    "granted_rights",
    "matching_members",
    "member_for_page",
    "pending_rights_change",
    "rights_change_to_sign",
    "rights_changed_at",
    "team_member",
    "team_page",
    "with_rights",
]
