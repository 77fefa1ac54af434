"""The membership and company admin where a right that moves money and an active administrator
become proposals."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from backoffice.admin.common import propose
from backoffice.kinds import gives_admin_powers
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


class FourEyesMembershipAdmin(MembershipAdmin):
    """A right that moves money (RIB change, early buyout) is proposed, approved by another agent;
    so is making someone an active administrator, who holds every right: a new member joins as
    a collaborator until the administrator's role is approved."""

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        role, status = obj.role, obj.status
        before = form.initial if change else {"role": "", "status": ""}
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
    """On a company's page too, whoever would become an active administrator is proposed: the
    other changes of the team apply, a newcomer joins as a collaborator meanwhile."""

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        promoted: list[tuple[Any, str, str]] = []
        for row in formset.forms:
            cleaned = getattr(row, "cleaned_data", None)
            if not cleaned or cleaned.get("DELETE") or not row.has_changed():
                continue
            joining = row.instance.pk is None
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


for model, model_admin in ((Company, FourEyesCompanyAdmin), (Membership, FourEyesMembershipAdmin)):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
