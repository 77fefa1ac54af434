"""The membership and company admin where a right that moves money, an active administrator and
a suspended collaborator with a right that moves money active again become proposals."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from backoffice.admin.common import propose
from backoffice.kinds import gives_admin_powers, money_rights_held, reopens_money_rights
from backoffice.models import ProposalKind
from companies.models import Company, Membership, Role
from permissions.catalogue import specs_for
from teams.admin.companies import CompanyAdmin
from teams.admin.memberships import MembershipAdmin


def _propose_admin(
    request: HttpRequest, member: Membership, *, role: str, status: str, reason: str
) -> None:
    propose(
        request,
        kind=ProposalKind.ADMIN_ROLE,
        subject=member,
        company=member.company,
        payload={"role": str(role), "status": str(status)},
        reason=reason,
    )


def _propose_reactivation(
    request: HttpRequest, member: Membership, *, role: str, money_rights: list[str], reason: str
) -> None:
    propose(
        request,
        kind=ProposalKind.MEMBER_REACTIVATION,
        subject=member,
        company=member.company,
        payload={"role": str(role), "status": "active", "rights": money_rights},
        reason=reason,
    )


def _money_rights_after(member: Membership, form: Any) -> list[str]:
    """The rights that move money the member keeps after the form: unticked ones go at once."""
    among = form.cleaned_data.get("rights") if "rights" in form.changed_data else None
    return money_rights_held(member, among=among)


class FourEyesMembershipAdmin(MembershipAdmin):
    """A right that moves money (fund operations, RIB change, early buyout) is proposed, approved
    by another agent; so is making someone an active administrator, who holds every right: a new
    member joins as a collaborator until the administrator's role is approved. A suspended collaborator who holds
    a right that moves money is given their access back the same way."""

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        role, status = obj.role, obj.status
        before = form.initial if change else {"role": "", "status": ""}
        if change and self._reopens(obj, form):
            obj.role, obj.status = before["role"], before["status"]
            _propose_reactivation(
                request,
                obj,
                role=role,
                money_rights=_money_rights_after(obj, form),
                reason=form.cleaned_data["reason"],
            )
            return
        if not gives_admin_powers(
            role_before=before.get("role", ""),
            status_before=before.get("status", ""),
            role_after=role,
            status_after=status,
        ):
            super().save_model(request, obj, form, change)
            return
        if change:
            obj.role, obj.status = before["role"], before["status"]
        else:
            obj.role = Role.COLLABORATOR
            super().save_model(request, obj, form, change)
        _propose_admin(request, obj, role=role, status=status, reason=form.cleaned_data["reason"])

    def _reopens(self, member: Membership, form: Any) -> bool:
        return reopens_money_rights(
            status_before=form.initial.get("status", ""),
            role_after=member.role,
            status_after=member.status,
            money_rights=_money_rights_after(member, form),
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        member: Membership = form.instance
        if change and "rights" in form.changed_data and not member.is_admin:
            held = set(member.grants.values_list("right", flat=True))
            rights = sorted(form.cleaned_data["rights"])
            if any(spec.moves_money for spec in specs_for(set(rights) - held)):
                admin.ModelAdmin.save_related(self, request, form, formsets, change)
                propose(
                    request,
                    kind=ProposalKind.MONEY_RIGHTS,
                    subject=member,
                    company=member.company,
                    payload={"rights": rights},
                    reason=form.cleaned_data["reason"],
                )
                return
        super().save_related(request, form, formsets, change)


class FourEyesCompanyAdmin(CompanyAdmin):
    """On a company's page too, whoever would become an active administrator, or a suspended
    collaborator with a right that moves money active again, is proposed: the other changes of
    the team apply, a newcomer joins as a collaborator meanwhile."""

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        promoted: list[tuple[Any, str, str]] = []
        reactivated: list[tuple[Membership, str, list[str]]] = []
        for row in formset.forms:
            cleaned = getattr(row, "cleaned_data", None)
            if not cleaned or cleaned.get("DELETE") or not row.has_changed():
                continue
            joining = row.instance.pk is None
            money_rights = [] if joining else money_rights_held(row.instance)
            if reopens_money_rights(
                status_before="" if joining else row.initial.get("status", ""),
                role_after=cleaned["role"],
                status_after=cleaned["status"],
                money_rights=money_rights,
            ):
                reactivated.append((row.instance, cleaned["role"], money_rights))
                cleaned["role"], cleaned["status"] = row.initial["role"], row.initial["status"]
                continue
            if not gives_admin_powers(
                role_before="" if joining else row.initial.get("role", ""),
                status_before="" if joining else row.initial.get("status", ""),
                role_after=cleaned["role"],
                status_after=cleaned["status"],
            ):
                continue
            promoted.append((row, cleaned["role"], cleaned["status"]))
            if joining:
                cleaned["role"] = Role.COLLABORATOR
            else:
                cleaned["role"], cleaned["status"] = row.initial["role"], row.initial["status"]
        super().save_formset(request, form, formset, change)
        added = {member.user_id: member for member in formset.new_objects}
        for row, role, status in promoted:
            member = row.instance if row.instance.pk else added[row.cleaned_data["user"].pk]
            member = Membership.objects.select_related("company").get(pk=member.pk)
            _propose_admin(
                request, member, role=role, status=status, reason=form.cleaned_data["reason"]
            )
        for member, role, money_rights in reactivated:
            _propose_reactivation(
                request,
                Membership.objects.select_related("user", "company").get(pk=member.pk),
                role=role,
                money_rights=money_rights,
                reason=form.cleaned_data["reason"],
            )


for model, model_admin in ((Company, FourEyesCompanyAdmin), (Membership, FourEyesMembershipAdmin)):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
