"""Refusals the invitation services raise, for views to turn into messages."""

from invitations.models import Invitation


class InvitationRefused(Exception):
    """A refusal to show the administrator, attached to a form field when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvitationBatchRefused(InvitationRefused):
    """Rows of a batch that cannot be invited: `rows` maps each refused row (from 0) to why."""

    def __init__(self, message: str, *, rows: dict[int, str]) -> None:
        super().__init__(message)
        self.rows = rows


class InvitationBatchFileRefused(InvitationRefused):
    """A file of people that cannot be invited: `lines` maps each refused line of the file to
    every reason (empty when the file as a whole is refused, e.g. not a CSV)."""

    def __init__(self, message: str, *, lines: dict[int, str]) -> None:
        super().__init__(message)
        self.lines = dict(sorted(lines.items()))


class InvitationLinkInvalid(Exception):
    """The link cannot be used; `reason` says why, for a clear page."""

    def __init__(self, reason: str, invitation: Invitation | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.invitation = invitation


class WrongAccount(Exception):
    """The invitation was made out to another email than the logged-in user's."""


class AccountExists(Exception):
    """Someone already has an account with the invited email: they must log in to accept."""
