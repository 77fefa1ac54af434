from typing import Any

from django import forms
from django.contrib import admin

from companies.models import Membership
from permissions.models import Grant
from permissions.selectors import grantable_rights


class GrantInlineFormSet(forms.BaseInlineFormSet):  # type: ignore[type-arg]
    """Support staff may only grant what the membership's company can grant."""

    instance: Membership

    def clean(self) -> None:
        super().clean()
        company = self.instance.company if self.instance.company_id else None
        if company is None:
            return
        options = {option.code: option for option in grantable_rights(company)}
        for form in self.forms:
            if not form.has_changed() or form.cleaned_data.get("DELETE"):
                continue
            right = form.cleaned_data.get("right")
            option = options.get(right) if right else None
            if option is not None and not option.enabled:
                form.add_error("right", str(option.reason))


class GrantInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Grant
    formset = GrantInlineFormSet
    fields = ("right", "granted_at")
    readonly_fields = ("granted_at",)
    extra = 0

    def get_extra(self, request: Any, obj: Any = None, **kwargs: Any) -> int:
        return 1 if obj is not None else 0
