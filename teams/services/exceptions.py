"""Refusals the teams services raise, for views to turn into messages."""


class TeamRefused(Exception):
    """A refusal to show the administrator, attached to a form field when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
