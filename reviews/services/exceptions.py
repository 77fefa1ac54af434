"""Refusals the review's services raise, for views to turn into messages."""

from companies.services import CompanyRefused


class ReviewRefused(CompanyRefused):
    """A refusal to show the administrator, attached to a form field when there is one."""
