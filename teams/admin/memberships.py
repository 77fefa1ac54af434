"""Support's page of members: changes of role, status and rights through the team services."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from companies.models import Membership
from teams.admin.forms import (
    MembershipAdminForm,
    refusals_shown,
    support_context,
)
from teams.models import RightsChange
from teams.services import (
    TeamRefused,
    membership_add_by_support,
    membership_rights_set_by_support,
    membership_set_by_support,
    memberships_removal_refusal,
    memberships_remove_by_support,
)


@admin.action(description=_("Supprimer les membres sélectionnés"), permissions=["delete"])
def delete_selected_members(
    modeladmin: admin.ModelAdmin,  # type: ignore[type-arg]
    request: HttpRequest,
    queryset: QuerySet[Membership],
) -> HttpResponse | None:
    if refusal := memberships_removal_refusal(
        membership_ids=list(queryset.values_list("pk", flat=True))
    ):
        modeladmin.message_user(request, refusal, messages.ERROR)
        return None
    try:
        # atomic: a refusal (no reason, a change in between) takes back the log entries too
        with transaction.atomic():
            response: HttpResponse | None = delete_selected(modeladmin, request, queryset)
    except TeamRefused as refused:
        modeladmin.message_user(request, refused.message, messages.ERROR)
        return None
    return response


delete_selected_members.__name__ = "delete_selected"


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = MembershipAdminForm
    actions = (delete_selected_members,)
    list_display = ("user", "company", "role", "status", "created_at")
    list_filter = ("role", "status", "company")
    search_fields = ("user__email", "user__first_name", "user__last_name", "company__name")
    list_select_related = ("user", "company")
    autocomplete_fields = ("user", "company")
    # support says why it removes someone: a reason field on Django's confirmations
    delete_confirmation_template = "admin/reason_delete_confirmation.html"
    delete_selected_confirmation_template = "admin/reason_delete_selected_confirmation.html"

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ("user", "company", "role", "status", "reason")
        return ("user", "company", "role", "status", "rights", "reason", "created_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # a membership is one person in one company: another pair is another membership
        return () if obj is None else ("user", "company", "created_at")

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        return refusals_shown(
            request,
            lambda: super(MembershipAdmin, self).changeform_view(
                request, object_id, form_url, extra_context
            ),
        )

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        if change:
            membership_set_by_support(
                membership=obj,
                role=obj.role,
                status=obj.status,
                reason=form.cleaned_data["reason"],
                **support_context(request),
            )
            return
        created = membership_add_by_support(
            user=obj.user,
            company=obj.company,
            role=obj.role,
            status=obj.status,
            reason=form.cleaned_data["reason"],
            **support_context(request),
        )
        for field in Membership._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        obj._state.adding = False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if change and "rights" in form.changed_data:
            membership_rights_set_by_support(
                membership=form.instance,
                rights=form.cleaned_data["rights"],
                reason=form.cleaned_data["reason"],
                **support_context(request),
            )

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        back = HttpResponseRedirect(reverse("admin:companies_membership_change", args=[object_id]))
        if object_id.isdigit() and (
            refusal := memberships_removal_refusal(membership_ids=[int(object_id)])
        ):
            self.message_user(request, refusal, messages.ERROR)
            return back
        try:
            return super().delete_view(request, object_id, extra_context)
        except TeamRefused as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
            return back

    def get_deleted_objects(
        self, objs: Any, request: HttpRequest
    ) -> tuple[list[Any], dict[str, int], set[str], list[Any]]:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # a member's rights changes go with the member (the audit keeps what they held): they are
        # read-only in the admin, not a separate permission to delete them
        perms_needed.discard(str(RightsChange._meta.verbose_name))
        return deleted, counts, perms_needed, protected

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        memberships_remove_by_support(
            membership_ids=[obj.pk],
            reason=request.POST.get("reason", ""),
            **support_context(request),
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        memberships_remove_by_support(
            membership_ids=list(queryset.values_list("pk", flat=True)),
            reason=request.POST.get("reason", ""),
            **support_context(request),
        )
