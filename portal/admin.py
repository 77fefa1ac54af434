from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from portal.forms import PortalUserChangeForm, PortalUserCreationForm
from portal.models import User


@admin.register(User)
class PortalUserAdmin(UserAdmin):  # type: ignore[type-arg]
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    list_display = ("email", "first_name", "last_name", "mobile", "is_staff", "is_active")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("email", "first_name", "last_name", "mobile")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identité"), {"fields": ("first_name", "last_name", "mobile")}),
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
