"""Which rights a company may grant: the catalogue read against the contracts it holds."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from companies.models import Company, ContractStatus
from permissions.catalogue import CATALOGUE, Right, RightOption, right_options

# like contrib.auth's _perm_cache: a page asks several times, the database answers once
_CONTRACT_KINDS_CACHE = "_active_contract_kinds"


def active_contract_kinds(company: Company) -> frozenset[str]:
    """The kinds of the company's active contracts, read once per company object."""
    kinds: frozenset[str] | None = getattr(company, _CONTRACT_KINDS_CACHE, None)
    if kinds is None:
        kinds = frozenset(
            company.contracts.filter(status=ContractStatus.ACTIVE).values_list("kind", flat=True)
        )
        setattr(company, _CONTRACT_KINDS_CACHE, kinds)
    return kinds


def grantable_rights(company: Company) -> list[RightOption]:
    """The catalogue as this company may grant it: a right whose contracts it lacks is disabled."""
    return right_options(
        held_contract_kinds=active_contract_kinds(company),
        has_entreprise_subscription=company.has_entreprise_subscription,
    )


def ungrantable_refusal(
    company: Company, rights: Iterable[str], *, held: Iterable[str] = ()
) -> str | None:
    """Why some of these rights cannot be granted in this company (its contracts or subscription
    do not allow them), with the catalogue's reason; the rights already `held` are not asked
    again. None: they can. The one check behind every grant: invitations, the administrator's
    changes, support's."""
    disabled = {
        option.code: str(option.reason)
        for option in grantable_rights(company)
        if not option.enabled
    }
    refused = sorted(set(rights).intersection(disabled) - set(held))
    if not refused:
        return None
    labels = ", ".join(str(CATALOGUE[Right(r)].short_label) for r in refused)
    reasons = dict.fromkeys(disabled[r] for r in refused if disabled[r])
    return " ".join(
        [
            _("Ce droit ne peut pas être accordé dans votre entreprise : %(r)s.") % {"r": labels},
            *reasons,
        ]
    )
