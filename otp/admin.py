import uuid

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from audit.admin import ReadOnlyAdmin
from audit.services import client_ip
from core.downloads import content_download, file_download, missing_file_is_404
from otp.authorisation_pdf import authorisation_filename
from otp.models import AccessAuthorisation, SignatureChallenge
from otp.proof import authorisation_proof_zip, proof_filename
from otp.selectors import any_authorisation
from otp.services import authorisation_download_record, authorisation_sealed_file


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
    list_display = (
        "signed_at",
        "kind",
        "company",
        "signer",
        "subject_email",
        "version",
        "closed_at",
        "method",
        "phone_masked",
    )
    list_filter = ("kind", "method", "closed_reason")
    search_fields = ("subject_email", "subject_name", "signer__email", "company__name")
    list_select_related = ("company", "signer")
    date_hierarchy = "signed_at"
    fields = (
        "id",
        "document",
        "version",
        "closed_at",
        "closed_reason",
        "kind",
        "company",
        "signer",
        "subject_name",
        "subject_email",
        "rights",
        "ends_on",
        "statement_text",
        "payload_digest",
        "challenge",
        "signed_at",
        "ip_address",
        "user_agent",
        "method",
        "phone_masked",
        "passkey_name",
        "rp_id",
        "origin",
        "sign_count",
    )
    readonly_fields = fields

    @admin.display(description=_("document"))
    def document(self, obj: AccessAuthorisation) -> SafeString:
        url = reverse("admin:otp_accessauthorisation_pdf", args=[obj.pk])
        proof = reverse("admin:otp_accessauthorisation_proof", args=[obj.pk])
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            url,
            _("Télécharger l’autorisation (PDF)"),
            proof,
            _("Fichier de preuve (ZIP)"),
        )

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<uuid:authorisation_id>/pdf/",
                self.admin_site.admin_view(require_GET(self.pdf_view)),
                name="otp_accessauthorisation_pdf",
            ),
            path(
                "<uuid:authorisation_id>/preuve/",
                self.admin_site.admin_view(require_GET(self.proof_view)),
                name="otp_accessauthorisation_proof",
            ),
            *super().get_urls(),
        ]

    @missing_file_is_404
    def pdf_view(self, request: HttpRequest, authorisation_id: uuid.UUID) -> HttpResponseBase:
        # admin_view lets only active staff in; the model's view permission decides the rest
        if not self.has_view_permission(request):
            raise PermissionDenied
        authorisation = any_authorisation(authorisation_id=authorisation_id)
        if authorisation is None:
            raise Http404
        authorisation_download_record(
            actor=request.user,
            authorisation=authorisation,
            ip_address=client_ip(request),
            via="support",
        )
        return file_download(
            authorisation_sealed_file(authorisation=authorisation),
            filename=authorisation_filename(authorisation),
            content_type="application/pdf",
        )

    @missing_file_is_404
    def proof_view(self, request: HttpRequest, authorisation_id: uuid.UUID) -> HttpResponseBase:
        if not self.has_view_permission(request):
            raise PermissionDenied
        authorisation = any_authorisation(authorisation_id=authorisation_id)
        if authorisation is None:
            raise Http404
        authorisation_download_record(
            actor=request.user,
            authorisation=authorisation,
            ip_address=client_ip(request),
            via="support",
            document="proof",
        )
        return content_download(
            authorisation_proof_zip(authorisation=authorisation),
            filename=proof_filename(authorisation),
            content_type="application/zip",
        )

    @admin.display(description=_("texte présenté au signataire"))
    def statement_text(self, obj: AccessAuthorisation) -> SafeString:
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', obj.statement)
