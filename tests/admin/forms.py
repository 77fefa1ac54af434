"""The POST data of the admin's membership and company pages, as support's browser sends it."""

from companies.models import Company, Membership

# support says why: every admin form that changes a client's data asks for a reason
REASON = "demande écrite du représentant légal, identité vérifiée"


def membership_form(membership: Membership, *rights: str, **changes: object) -> dict[str, object]:
    """The membership page with `rights` ticked (by default the member's rights of now) and some
    fields changed; `rights=[]` unticks them all."""
    held = sorted(membership.grants.values_list("right", flat=True))
    data: dict[str, object] = {
        "user": membership.user_id,
        "company": membership.company_id,
        "role": membership.role,
        "status": membership.status,
        "rights": list(rights) if rights else held,
        "reason": REASON,
    }
    return {**data, **changes}


def company_form(
    company: Company, member_changes: dict[int, dict[str, object]]
) -> dict[str, object]:
    """The company page with its members inline; `member_changes` by membership id."""
    members = list(company.memberships.order_by("pk"))
    data: dict[str, object] = {
        "name": company.name,
        "siren": company.siren,
        "access_review_months": company.access_review_months,
        "contracts-TOTAL_FORMS": 0,
        "contracts-INITIAL_FORMS": 0,
        "memberships-TOTAL_FORMS": len(members),
        "memberships-INITIAL_FORMS": len(members),
        "reason": REASON,
    }
    if company.has_entreprise_subscription:
        data["has_entreprise_subscription"] = "on"
    for n, membership in enumerate(members):
        data.update(
            {
                f"memberships-{n}-id": membership.pk,
                f"memberships-{n}-company": company.pk,
                f"memberships-{n}-user": membership.user_id,
                f"memberships-{n}-role": membership.role,
                f"memberships-{n}-status": membership.status,
            }
        )
        for field, value in member_changes.get(membership.pk, {}).items():
            data[f"memberships-{n}-{field}"] = value
    return data
