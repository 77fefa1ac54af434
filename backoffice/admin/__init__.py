"""Support's four eyes in the Django admin: the list of proposals to approve, each one's page
(what will change, the reason, approve or refuse), and the pages where a change that opens the
door becomes a proposal instead of applying at once (an administrator's mobile or email, unlocking
a signature or a login, resetting second factors, a right that moves money, validating a RIB
change)."""

from backoffice.admin import proposals, requests, teams, users  # noqa: F401  (registrations)
from backoffice.admin.users import FourEyesUserAdmin, FourEyesUserChangeForm

__all__ = ["FourEyesUserAdmin", "FourEyesUserChangeForm"]
