"""Which rights a company may grant: the catalogue read against the contracts it holds."""

from companies.models import Company, ContractStatus
from permissions.catalogue import RightOption, right_options

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
