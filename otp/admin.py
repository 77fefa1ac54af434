from django.contrib import admin
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from audit.admin import ReadOnlyAdmin
from otp.models import AccessAuthorisation, SignatureChallenge


@admin.register(SignatureChallenge)
class SignatureChallengeAdmin(ReadOnlyAdmin):
    """The code is derived, never stored: nothing here could reveal it."""

    list_display = (
        "signer",
        "purpose",
        "status",
        "phone_masked",
        "send_count",
        "failed_attempts",
        "created_at",
        "expires_at",
        "consumed_at",
    )
    list_filter = ("status", "purpose")
    search_fields = ("signer__email",)
    list_select_related = ("signer",)
    date_hierarchy = "created_at"
    fields = (
        "id",
        "signer",
        "purpose",
        "status",
        "phone_masked",
        "payload_digest",
        "send_count",
        "last_sent_at",
        "failed_attempts",
        "created_at",
        "expires_at",
        "consumed_at",
    )
    readonly_fields = fields


@admin.register(AccessAuthorisation)
class AccessAuthorisationAdmin(ReadOnlyAdmin):
    list_display = ("signed_at", "kind", "company", "signer", "subject_email", "phone_masked")
    list_filter = ("kind",)
    search_fields = ("subject_email", "subject_name", "signer__email", "company__name")
    list_select_related = ("company", "signer")
    date_hierarchy = "signed_at"
    fields = (
        "id",
        "kind",
        "company",
        "signer",
        "subject_name",
        "subject_email",
        "rights",
        "statement_text",
        "payload_digest",
        "challenge",
        "signed_at",
        "ip_address",
        "user_agent",
        "phone_masked",
    )
    readonly_fields = fields

    @admin.display(description=_("texte présenté au signataire"))
    def statement_text(self, obj: AccessAuthorisation) -> SafeString:
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', obj.statement)
