"""Support staff's pages of companies, members and rights changes. Every edit of who may do what
goes through the team's services (teams.services.support): the same rules as the portal's, the
same audit, the member emailed when their rights change. The forms call the same rules first, so
that a refusal shows beside its field."""

from teams.admin import companies, memberships, rights_changes  # noqa: F401  (registrations)
