from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _

from accounts.forms import PortalUserChangeForm, PortalUserCreationForm
from accounts.models import User
from accounts.services import UserRefused, user_update_by_support, user_update_refusal
from audit.models import Action
from audit.reasons import ReasonField
from audit.services import audit_record, client_ip
from companies.models import Membership, MembershipStatus, Role
from companies.services import (
    CompanyRefused,
    users_delete,
    users_leaving_refusal,
)
from otp.services import mask_phone
from permissions.selectors import money_memberships


class SigningLockedFilter(admin.SimpleListFilter):
    title = _("signature")
    parameter_name = "signature"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("locked", _("bloquée"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> QuerySet[User]:
        if self.value() == "locked":
            return queryset.filter(signing_locked_at__isnull=False)
        return queryset


class SupportUserChangeForm(PortalUserChangeForm):
    """The rules `user_update_by_support` checks again under lock, here for their messages: a
    company never loses its last active administrator, not even by a deactivated account; and
    support says why it changes a person's account."""

    reason = ReasonField()

    # An administrator's mobile and email (the keys to their signature and login) and an account
    # made active again while it holds a right that moves money (an administrator's every right,
    # a collaborator's money rights) are proposed to a second agent by the back
    # office's user admin (backoffice.admin), whose form says so; this admin alone refuses them.
    proposes_door_openers = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:  # the fields have said what is wrong
            return cleaned
        if not self.proposes_door_openers and self._opens_an_administrators_door(cleaned):
            self.add_error(
                None,
                _(
                    "Chez un administrateur, ce changement est proposé par un agent du support "
                    "et approuvé par un second : passez par le back-office."
                ),
            )
            return cleaned
        refusal = user_update_refusal(
            user_id=self.instance.pk,
            email=cleaned.get("email", ""),
            mobile=cleaned.get("mobile"),
            deactivating="is_active" in self.changed_data and not cleaned.get("is_active"),
        )
        if refusal:
            self.add_error(refusal.field if refusal.field in self.fields else None, refusal.message)
        return cleaned

    def _opens_an_administrators_door(self, cleaned: dict[str, Any]) -> bool:
        if self.instance.pk is None:
            return False
        # an account active again opens every right that moves money it holds somewhere
        if (
            "is_active" in self.changed_data
            and cleaned.get("is_active")
            and money_memberships(user_id=self.instance.pk).exists()
        ):
            return True
        if not {"mobile", "email"}.intersection(self.changed_data):
            return False
        return Membership.objects.filter(
            user_id=self.instance.pk, role=Role.ADMIN, status=MembershipStatus.ACTIVE
        ).exists()


@admin.action(description=_("Supprimer les utilisateurs sélectionnés"), permissions=["delete"])
def delete_selected_users(
    modeladmin: admin.ModelAdmin,  # type: ignore[type-arg]
    request: HttpRequest,
    queryset: QuerySet[User],
) -> HttpResponse | None:
    """Django's confirmation and deletion, refused while a company would lose its last active
    administrator: on the confirmation page, and again under lock when deleting."""
    if refusal := users_leaving_refusal(user_ids=list(queryset.values_list("pk", flat=True))):
        modeladmin.message_user(request, refusal, messages.ERROR)
        return None
    try:
        # atomic: a refusal found under lock takes back the deletions' log entries too
        with transaction.atomic():
            response: HttpResponse | None = delete_selected(modeladmin, request, queryset)
    except CompanyRefused as refused:
        modeladmin.message_user(request, str(refused), messages.ERROR)
        return None
    return response


delete_selected_users.__name__ = "delete_selected"


@login_not_required
def admin_login(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    """The admin has no login form of its own: the portal's login (its throttle, its one message
    whatever the cause, its second factor) is the only way in."""
    next_url = request.GET.get("next") or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("admin:index")
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return HttpResponseRedirect(next_url)
        messages.error(request, _("Le back-office est réservé au support de la banque."))
        return HttpResponseRedirect(reverse("portal:company_picker"))
    return HttpResponseRedirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")


admin.site.login = admin_login  # type: ignore[method-assign]


@admin.register(User)
class PortalUserAdmin(UserAdmin):  # type: ignore[type-arg]
    form = SupportUserChangeForm
    add_form = PortalUserCreationForm
    list_display = (
        "email",
        "first_name",
        "last_name",
        "mobile",
        "is_staff",
        "is_active",
        "signing_locked",
    )
    list_filter = ("is_staff", "is_superuser", "is_active", SigningLockedFilter)
    search_fields = ("email", "first_name", "last_name", "mobile")
    ordering = ("email",)
    readonly_fields = (
        "last_login",
        "date_joined",
        "consecutive_wrong_codes",
        "signing_locked_at",
        "mobile_confirmed_at",
        "login_locked_at",
        "consecutive_login_failures",
    )
    # unlocking a signature or a login and resetting second factors open the door: they are
    # proposed and approved by two agents (backoffice.admin), never applied here by one
    actions = (delete_selected_users,)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identité"), {"fields": ("first_name", "last_name", "mobile")}),
        (_("Motif"), {"fields": ("reason",)}),
        (
            _("Signature par SMS"),
            {
                "fields": ("signing_locked_at", "consecutive_wrong_codes"),
                "description": _(
                    "Après trop de codes erronés à la suite, la signature est bloquée. "
                    "Vérifiez l’identité de la personne, puis utilisez l’action « Proposer de "
                    "débloquer la signature » de la liste des utilisateurs : un second agent du "
                    "support approuve."
                ),
            },
        ),
        (
            _("Connexion et seconds facteurs"),
            {
                "fields": (
                    "mobile_confirmed_at",
                    "login_locked_at",
                    "consecutive_login_failures",
                ),
                "description": _(
                    "Après trop de seconds facteurs erronés à la suite, la connexion est bloquée. "
                    "Un téléphone perdu : réinitialisez les seconds facteurs. Vérifiez d’abord "
                    "l’identité de la personne ; le motif est enregistré, un second agent du "
                    "support approuve, puis la personne est prévenue."
                ),
            },
        ),
        (
            _("Accès au back-office"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "first_name",
                    "last_name",
                    "mobile",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        """A change goes through `user_update_by_support` (its rules, under lock, and the audit
        of the mobile, the signing factor); a new account's mobile is audited here."""
        if change:
            user_update_by_support(
                user=obj,
                email=obj.email,
                first_name=obj.first_name,
                last_name=obj.last_name,
                mobile=obj.mobile,
                is_active=obj.is_active,
                is_staff=obj.is_staff,
                is_superuser=obj.is_superuser,
                actor=request.user,  # type: ignore[arg-type]
                ip_address=client_ip(request),
                reason=form.cleaned_data["reason"],
            )
            return
        previous = None
        super().save_model(request, obj, form, change)
        if "mobile" in form.changed_data:
            audit_record(
                action=Action.SUPPORT_MOBILE_CHANGED,
                actor=request.user,
                target=obj,
                ip_address=client_ip(request),
                data={
                    "previous": mask_phone(previous) if previous else "",
                    "new": mask_phone(obj.mobile) if obj.mobile else "",
                    "created": not change,
                },
            )

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except UserRefused as refused:  # found under lock after the form's check: nothing saved
            self.message_user(request, refused.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        user_ids = [int(object_id)] if object_id.isdigit() else []
        refusal = users_leaving_refusal(user_ids=user_ids)
        if refusal is None:
            try:
                return super().delete_view(request, object_id, extra_context)
            except CompanyRefused as refused:  # found under lock, the deletion rolled back
                refusal = str(refused)
        self.message_user(request, refusal, messages.ERROR)
        return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[object_id]))

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        users_delete(user_ids=[obj.pk])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        users_delete(user_ids=list(queryset.values_list("pk", flat=True)))

    @admin.display(description=_("signature bloquée"), boolean=True, ordering="signing_locked_at")
    def signing_locked(self, user: User) -> bool:
        return user.signing_locked_at is not None
