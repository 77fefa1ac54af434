"""What each kind of proposal is about, how it is shown to the approver and how it is applied.

A kind is one entry of `SPECS`: `subject` finds the object it changes, `rows` says exactly what
will change (before → after), `apply` makes the change through the owning app's service, with
the approving agent as the one who acts and the proposer's reason. A new kind (unlocking login,
resetting second factors) is a `ProposalKind` value and one `KindSpec` calling its service.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Model
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import UserRefused, user_update_by_support, user_update_refusal
from accounts.services.second_factors import (
    SupportReasonRefused,
    login_unlock,
    second_factors_reset,
)
from backoffice.models import Proposal, ProposalKind
from client_requests.kinds import SUPPORT_TRANSITIONS, RequestKind, RequestStatus
from client_requests.models import ClientRequest
from client_requests.services import RequestRefused, request_move
from companies.models import Membership, MembershipStatus, Role
from core import outbox
from otp.limits import SigningUnlockRefused, signing_unlock
from otp.models import Passkey
from permissions.catalogue import CATALOGUE, specs_for
from teams.services import (
    TeamRefused,
    membership_rights_set_by_support,
    membership_set_by_support,
    rights_diff,
)


class ProposalRefused(Exception):
    """A refusal to show support, beside the field it concerns when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# the refusals of the services a proposal applies through: shown as the proposal's own
APPLY_REFUSALS = (
    UserRefused,
    TeamRefused,
    RequestRefused,
    SigningUnlockRefused,
    SupportReasonRefused,
)


@dataclass(frozen=True)
class Applying:
    proposal: Proposal
    approver: User
    ip_address: str | None
    now: datetime.datetime


@dataclass(frozen=True)
class KindSpec:
    subject: Callable[[str], Model]
    rows: Callable[[Proposal, Model], list[tuple[str, str, str]]]  # what, before, after
    apply: Callable[[Applying, Model], None]
    # refuses (ProposalRefused or the service's refusal) a proposal that could not be applied
    check: Callable[[Proposal, Model], None]
    # events about a person's account belong to no company (audit.journal shows them to theirs)
    about_account: bool = False


def _user(subject_id: str) -> Model:
    return get_user_model().objects.get(pk=int(subject_id))


def _membership(subject_id: str) -> Model:
    return Membership.objects.select_related("user", "company").get(pk=int(subject_id))


def _request(subject_id: str) -> Model:
    return ClientRequest.objects.select_related("company").get(pk=int(subject_id))


def _user_update(
    applying: Applying, user: User, *, email: str, mobile: str, is_active: bool | None = None
) -> None:
    user_update_by_support(
        user=user,
        email=email,
        first_name=user.first_name,
        last_name=user.last_name,
        mobile=mobile,
        is_active=user.is_active if is_active is None else is_active,
        is_staff=user.is_staff,
        is_superuser=user.is_superuser,
        actor=applying.approver,
        ip_address=applying.ip_address,
        reason=applying.proposal.reason,
    )


def _mobile_rows(proposal: Proposal, user: Model) -> list[tuple[str, str, str]]:
    return [(_("Mobile"), str(getattr(user, "mobile", "")), proposal.payload["mobile"])]


def _mobile_check(proposal: Proposal, user: Model) -> None:
    if refusal := user_update_refusal(
        user_id=user.pk,
        email=str(getattr(user, "email", "")),
        mobile=proposal.payload["mobile"],
        deactivating=False,
    ):
        raise refusal


def _mobile_apply(applying: Applying, user: Model) -> None:
    assert isinstance(user, User)
    _user_update(applying, user, email=user.email, mobile=applying.proposal.payload["mobile"])


def _email_rows(proposal: Proposal, user: Model) -> list[tuple[str, str, str]]:
    return [(_("Adresse e-mail"), str(getattr(user, "email", "")), proposal.payload["email"])]


def _email_check(proposal: Proposal, user: Model) -> None:
    if refusal := user_update_refusal(
        user_id=user.pk, email=proposal.payload["email"], mobile=None, deactivating=False
    ):
        raise refusal


def _email_apply(applying: Applying, user: Model) -> None:
    assert isinstance(user, User)
    mobile = str(user.mobile) if user.mobile else ""
    _user_update(applying, user, email=applying.proposal.payload["email"], mobile=mobile)


def _unlock_rows(proposal: Proposal, user: Model) -> list[tuple[str, str, str]]:
    locked_at = getattr(user, "signing_locked_at", None)
    if locked_at is None:
        return [(_("Signature"), _("non bloquée"), _("débloquée"))]
    before = _("bloquée depuis le %(date)s") % {"date": f"{locked_at:%d/%m/%Y %H:%M}"}
    return [(_("Signature"), before, _("débloquée"))]


def _unlock_check(proposal: Proposal, user: Model) -> None:
    if getattr(user, "signing_locked_at", None) is None:
        raise ProposalRefused(_("La signature de cette personne n’est pas bloquée."))


def _unlock_apply(applying: Applying, user: Model) -> None:
    if not signing_unlock(
        user_id=user.pk,
        actor=applying.approver,
        ip_address=applying.ip_address,
        reason=applying.proposal.reason,
    ):
        raise ProposalRefused(_("La signature de cette personne n’est plus bloquée."))


def _login_unlock_rows(proposal: Proposal, user: Model) -> list[tuple[str, str, str]]:
    locked_at = getattr(user, "login_locked_at", None)
    if locked_at is None:
        return [(_("Connexion"), _("non bloquée"), _("débloquée"))]
    before = _("bloquée depuis le %(date)s") % {"date": f"{locked_at:%d/%m/%Y %H:%M}"}
    return [(_("Connexion"), before, _("débloquée"))]


def _login_unlock_check(proposal: Proposal, user: Model) -> None:
    if getattr(user, "login_locked_at", None) is None:
        raise ProposalRefused(_("La connexion de cette personne n’est pas bloquée."))


def _login_unlock_apply(applying: Applying, user: Model) -> None:
    if not login_unlock(
        user_id=user.pk,
        actor=applying.approver,
        reason=applying.proposal.reason,
        ip_address=applying.ip_address,
        now=applying.now,
    ):
        raise ProposalRefused(_("La connexion de cette personne n’est plus bloquée."))


def _reset_rows(proposal: Proposal, user: Model) -> list[tuple[str, str, str]]:
    confirmed = getattr(user, "mobile_confirmed_at", None) is not None
    passkeys = Passkey.objects.filter(user_id=user.pk).count()
    return [
        (
            _("Mobile"),
            _("confirmé") if confirmed else _("non confirmé"),
            _("à confirmer au prochain code de connexion"),
        ),
        (_("Clés d’accès"), str(passkeys), "0"),
        (_("Sessions"), _("ouvertes"), _("toutes fermées")),
    ]


def _reset_check(proposal: Proposal, user: Model) -> None:
    if not getattr(user, "is_active", False):
        raise ProposalRefused(_("Le compte de cette personne est désactivé."))


def _reset_apply(applying: Applying, user: Model) -> None:
    _reset_check(applying.proposal, user)
    second_factors_reset(
        user_id=user.pk,
        actor=applying.approver,
        reason=applying.proposal.reason,
        ip_address=applying.ip_address,
        now=applying.now,
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


def _rib_rows(proposal: Proposal, request: Model) -> list[tuple[str, str, str]]:
    assert isinstance(request, ClientRequest)
    company, details = request.company, request.details or {}
    before = f"{company.bank_account_holder} — {company.iban} — {company.bic}"
    after = f"{details.get('holder', '')} — {details.get('iban', '')} — {details.get('bic', '')}"
    return [
        (_("RIB de l’entreprise"), before, after),
        (_("Commentaire pour l’entreprise"), "", proposal.payload.get("comment", "")),
    ]


def _rib_check(proposal: Proposal, request: Model) -> None:
    assert isinstance(request, ClientRequest)
    if request.kind != RequestKind.BANK_DETAILS_CHANGE:
        raise ProposalRefused(_("Cette demande n’est pas un changement de RIB."))
    if RequestStatus.DONE not in SUPPORT_TRANSITIONS.get(request.status, ()):
        raise ProposalRefused(_("Cette demande ne peut plus être validée."))


def _rib_apply(applying: Applying, request: Model) -> None:
    assert isinstance(request, ClientRequest)
    _rib_check(applying.proposal, request)
    request_move(
        client_request=request,
        to_status=RequestStatus.DONE,
        comment=applying.proposal.payload.get("comment", ""),
        reason=applying.proposal.reason,
        by=applying.approver,
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


def _admins_alert(applying: Applying, member: Membership) -> None:
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
    _admins_alert(applying, changed)


def _reactivation_rows(proposal: Proposal, user: Model) -> list[tuple[str, str, str]]:
    before = _("actif") if getattr(user, "is_active", False) else _("désactivé")
    return [(_("Compte"), before, _("actif"))]


def _reactivation_check(proposal: Proposal, user: Model) -> None:
    if getattr(user, "is_active", False):
        raise ProposalRefused(_("Le compte de cette personne est déjà actif."))


def _reactivation_apply(applying: Applying, user: Model) -> None:
    assert isinstance(user, User)
    _reactivation_check(applying.proposal, user)
    mobile = str(user.mobile) if user.mobile else ""
    _user_update(applying, user, email=user.email, mobile=mobile, is_active=True)
    # the administrators of each company where the person is back as an administrator are told
    for member in (
        Membership.objects.active()
        .filter(user_id=user.pk, role=Role.ADMIN)
        .select_related("user", "company")
        .order_by("pk")
    ):
        _admins_alert(applying, member)


SPECS: dict[str, KindSpec] = {
    ProposalKind.MOBILE_CHANGE: KindSpec(
        _user, _mobile_rows, _mobile_apply, _mobile_check, about_account=True
    ),
    ProposalKind.EMAIL_CHANGE: KindSpec(
        _user, _email_rows, _email_apply, _email_check, about_account=True
    ),
    ProposalKind.SIGNING_UNLOCK: KindSpec(
        _user, _unlock_rows, _unlock_apply, _unlock_check, about_account=True
    ),
    ProposalKind.LOGIN_UNLOCK: KindSpec(
        _user, _login_unlock_rows, _login_unlock_apply, _login_unlock_check, about_account=True
    ),
    ProposalKind.SECOND_FACTORS_RESET: KindSpec(
        _user, _reset_rows, _reset_apply, _reset_check, about_account=True
    ),
    ProposalKind.MONEY_RIGHTS: KindSpec(_membership, _rights_rows, _rights_apply, _rights_check),
    ProposalKind.BANK_DETAILS: KindSpec(_request, _rib_rows, _rib_apply, _rib_check),
    ProposalKind.ADMIN_ROLE: KindSpec(_membership, _admin_rows, _admin_apply, _admin_check),
    ProposalKind.ACCOUNT_REACTIVATION: KindSpec(
        _user, _reactivation_rows, _reactivation_apply, _reactivation_check, about_account=True
    ),
}
