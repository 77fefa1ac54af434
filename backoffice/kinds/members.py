"""Kinds about a membership: a right that moves money, an active administrator (every right);
the alert the company's other administrators receive."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Model
from django.urls import reverse
from django.utils.translation import gettext as _

from backoffice.kinds.base import (
    Applying,
    KindSpec,
    ProposalRefused,
    membership_subject,
)
from backoffice.models import Proposal, ProposalKind
from companies.models import Membership, MembershipStatus, Role
from core import outbox
from permissions.catalogue import CATALOGUE, specs_for
from teams.services import (
    membership_rights_set_by_support,
    membership_set_by_support,
    rights_diff,
)


def _labels(rights: list[str]) -> str:
    return ", ".join(str(spec.short_label) for spec in specs_for(rights)) or "—"


def _rights_rows(proposal: Proposal, member: Model) -> list[tuple[str, str, str]]:
    assert isinstance(member, Membership)
    held = sorted(member.grants.values_list("right", flat=True))
    return [(_("Droits"), _labels(held), _labels(proposal.payload["rights"]))]


def _rights_check(proposal: Proposal, member: Model) -> None:
    assert isinstance(member, Membership)
    rights_diff(membership=member, rights=proposal.payload["rights"])


def _rights_apply(applying: Applying, member: Model) -> None:
    assert isinstance(member, Membership)
    membership_rights_set_by_support(
        membership=member,
        rights=applying.proposal.payload["rights"],
        actor=applying.approver,
        reason=applying.proposal.reason,
        ip_address=applying.ip_address,
        now=applying.now,
    )


def gives_admin_powers(
    *, role_before: str, status_before: str, role_after: str, status_after: str
) -> bool:
    """The change leaves an active administrator where there was none: every right, those that
    move money included (a role given, an administrator's access given back)."""
    active_admin_after = role_after == Role.ADMIN and status_after == MembershipStatus.ACTIVE
    was_active_admin = role_before == Role.ADMIN and status_before == MembershipStatus.ACTIVE
    return active_admin_after and not was_active_admin


def _admin_rows(proposal: Proposal, member: Model) -> list[tuple[str, str, str]]:
    assert isinstance(member, Membership)
    after = proposal.payload
    return [
        (_("Rôle"), str(member.get_role_display()), str(Role(after["role"]).label)),
        (
            _("Statut"),
            str(member.get_status_display()),
            str(MembershipStatus(after["status"]).label),
        ),
        (
            _("Droits"),
            _labels(sorted(member.grants.values_list("right", flat=True))),
            _("tous, y compris ceux qui engagent des fonds"),
        ),
    ]


def _admin_check(proposal: Proposal, member: Model) -> None:
    assert isinstance(member, Membership)
    payload = proposal.payload
    if not gives_admin_powers(
        role_before=member.role,
        status_before=member.status,
        role_after=payload.get("role", ""),
        status_after=payload.get("status", ""),
    ):
        raise ProposalRefused(_("Cette personne est déjà administrateur actif de l’entreprise."))


def _money_rights_of_company(member: Membership) -> list[str]:
    held_kinds = set(member.company.contracts.values_list("kind", flat=True))
    return [
        spec.right
        for spec in CATALOGUE.values()
        if spec.moves_money
        and (not spec.contract_kinds or held_kinds.intersection(spec.contract_kinds))
    ]


def admins_alert(applying: Applying, member: Membership) -> None:
    """Every other active administrator is told, once, that a new administrator holds the
    rights that move money: the same alert as a money right granted."""
    company = member.company
    granted = specs_for(_money_rights_of_company(member))
    admins = (
        Membership.objects.active()
        .filter(company=company, role=Role.ADMIN)
        .exclude(pk=member.pk)
        .select_related("user")
        .order_by("pk")
    )
    url = settings.PORTAL_BASE_URL.rstrip("/") + reverse(
        "teams:member", args=[company.pk, member.pk]
    )
    for admin in admins:
        outbox.email_queue(
            key=f"backoffice.proposal:{applying.proposal.pk}:{company.pk}:admin:{admin.user_id}",
            to=admin.user.email,
            subject=_("%(company)s : un droit sensible a été accordé") % {"company": company.name},
            template="teams/email/money_rights_granted",
            context={
                "admin": admin.user,
                "member": member.user,
                "signer": applying.approver,
                "company": company,
                "granted": granted,
                "by_support": True,
                "url": url,
            },
            about=member,
            company_id=company.pk,
            now=applying.now,
        )


def _admin_apply(applying: Applying, member: Model) -> None:
    assert isinstance(member, Membership)
    _admin_check(applying.proposal, member)
    changed = membership_set_by_support(
        membership=member,
        role=applying.proposal.payload["role"],
        status=applying.proposal.payload["status"],
        actor=applying.approver,
        reason=applying.proposal.reason,
        ip_address=applying.ip_address,
        now=applying.now,
    )
    admins_alert(applying, changed)


KINDS: dict[str, KindSpec] = {
    ProposalKind.MONEY_RIGHTS: KindSpec(
        membership_subject, _rights_rows, _rights_apply, _rights_check
    ),
    ProposalKind.ADMIN_ROLE: KindSpec(membership_subject, _admin_rows, _admin_apply, _admin_check),
}
