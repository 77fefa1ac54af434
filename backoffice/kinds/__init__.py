"""What each kind of proposal is about, how it is shown to the approver and how it is applied.

A kind is one entry of `SPECS`: `subject` finds the object it changes, `rows` says exactly what
will change (before → after), `apply` makes the change through the owning app's service, with
the approving agent as the one who acts and the proposer's reason. A new kind (unlocking login,
resetting second factors) is a `ProposalKind` value and one `KindSpec` calling its service.
"""

from backoffice.kinds import accounts, members, requests
from backoffice.kinds.base import APPLY_REFUSALS, Applying, KindSpec, ProposalRefused
from backoffice.kinds.members import gives_admin_powers, money_rights_held, reopens_money_rights

__all__ = [
    "APPLY_REFUSALS",
    "SPECS",
    "Applying",
    "KindSpec",
    "ProposalRefused",
    "gives_admin_powers",
    "money_rights_held",
    "reopens_money_rights",
]

SPECS: dict[str, KindSpec] = {**accounts.KINDS, **members.KINDS, **requests.KINDS}
