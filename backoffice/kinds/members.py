"""Kinds about a membership: a right that moves money, an active administrator (every right), a
suspended collaborator active again with a right that moves money; the alert the company's other
administrators receive."""

from __future__ import annotations

from collections.abc import Iterable

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
from permissions.catalogue import CATALOGUE, Right, RightSpec, specs_for
from teams.services import (
    member_rights,
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


def admins_alert(
    applying: Applying, member: Membership, *, granted: list[RightSpec] | None = None
) -> None:
    """Every other active administrator is told, once, that the member holds the rights that
    move money (by default all the company's, those of a new administrator): the same alert as
    a money right granted."""
    company = member.company
    if granted is None:
        granted = specs_for(_money_rights_of_company(member))
    if not granted:
        return
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


def money_rights_held(member: Membership, *, among: Iterable[str] | None = None) -> list[str]:
    """The rights that move money the collaborator holds today (only those `among`, if given)."""
    held = member_rights(member)
    kept = held if among is None else set(among)
    return [right for right in held if right in kept and CATALOGUE[Right(right)].moves_money]


def reopens_money_rights(
    *, status_before: str, role_after: str, status_after: str, money_rights: list[str]
) -> bool:
    """The change gives a suspended collaborator their access back while they hold a right that
    moves money: that right can be used again."""
    return (
        status_before == MembershipStatus.SUSPENDED
        and status_after == MembershipStatus.ACTIVE
        and role_after == Role.COLLABORATOR
        and bool(money_rights)
    )


def _reactivation_rows(proposal: Proposal, member: Model) -> list[tuple[str, str, str]]:
    assert isinstance(member, Membership)
    after = proposal.payload
    rows = [
        (
            _("Statut"),
            str(member.get_status_display()),
            str(MembershipStatus(after["status"]).label),
        ),
        (
            _("Droits qui engagent des fonds"),
            _("inutilisables (accès suspendu)"),
            _labels(money_rights_held(member)),
        ),
    ]
    if after["role"] != member.role:
        rows.insert(0, (_("Rôle"), str(member.get_role_display()), str(Role(after["role"]).label)))
    return rows


def _reactivation_check(proposal: Proposal, member: Model) -> None:
    assert isinstance(member, Membership)
    if member.status != MembershipStatus.SUSPENDED:
        raise ProposalRefused(_("Ce membre n’est plus suspendu."))
    if proposal.payload.get("role") != Role.COLLABORATOR:
        raise ProposalRefused(_("Seul l’accès d’un collaborateur se rétablit ainsi."))


def _reactivation_apply(applying: Applying, member: Model) -> None:
    assert isinstance(member, Membership)
    _reactivation_check(applying.proposal, member)
    changed = membership_set_by_support(
        membership=member,
        role=applying.proposal.payload["role"],
        status=MembershipStatus.ACTIVE,
        actor=applying.approver,
        reason=applying.proposal.reason,
        ip_address=applying.ip_address,
        now=applying.now,
    )
    # the rights it holds at approval: one removed meanwhile is not said to be open again
    admins_alert(applying, changed, granted=specs_for(money_rights_held(changed)))


KINDS: dict[str, KindSpec] = {
    ProposalKind.MONEY_RIGHTS: KindSpec(
        membership_subject, _rights_rows, _rights_apply, _rights_check
    ),
    ProposalKind.ADMIN_ROLE: KindSpec(membership_subject, _admin_rows, _admin_apply, _admin_check),
    ProposalKind.MEMBER_REACTIVATION: KindSpec(
        membership_subject, _reactivation_rows, _reactivation_apply, _reactivation_check
    ),
}
