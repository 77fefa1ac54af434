"""Kinds about a person's account: their mobile or email, unlocking their signature or login,
resetting their second factors, their account active again."""

from __future__ import annotations

from django.db.models import Model
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import user_update_by_support, user_update_refusal
from accounts.services.second_factors import (
    login_unlock,
    second_factors_reset,
)
from backoffice.kinds.base import Applying, KindSpec, ProposalRefused, user_subject
from backoffice.kinds.members import admins_alert, money_rights_held
from backoffice.models import Proposal, ProposalKind
from companies.models import Role
from otp.limits import signing_unlock
from otp.models import Passkey
from permissions.catalogue import specs_for
from permissions.end_dates import local_today
from permissions.selectors import money_memberships


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
    # the other administrators of each company where the account moves money again are told:
    # every right of an administrator, the money rights a collaborator holds at approval
    for member in money_memberships(user_id=user.pk, today=local_today(applying.now)):
        if member.role == Role.ADMIN:
            admins_alert(applying, member)
        else:
            admins_alert(applying, member, granted=specs_for(money_rights_held(member)))


KINDS: dict[str, KindSpec] = {
    ProposalKind.MOBILE_CHANGE: KindSpec(
        user_subject, _mobile_rows, _mobile_apply, _mobile_check, about_account=True
    ),
    ProposalKind.EMAIL_CHANGE: KindSpec(
        user_subject, _email_rows, _email_apply, _email_check, about_account=True
    ),
    ProposalKind.SIGNING_UNLOCK: KindSpec(
        user_subject, _unlock_rows, _unlock_apply, _unlock_check, about_account=True
    ),
    ProposalKind.LOGIN_UNLOCK: KindSpec(
        user_subject,
        _login_unlock_rows,
        _login_unlock_apply,
        _login_unlock_check,
        about_account=True,
    ),
    ProposalKind.SECOND_FACTORS_RESET: KindSpec(
        user_subject, _reset_rows, _reset_apply, _reset_check, about_account=True
    ),
    ProposalKind.ACCOUNT_REACTIVATION: KindSpec(
        user_subject,
        _reactivation_rows,
        _reactivation_apply,
        _reactivation_check,
        about_account=True,
    ),
}
