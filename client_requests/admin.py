"""Support staff work the request pipeline here: read a request and its files, decide, attach."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.http import current_user
from audit.reasons import ReasonField
from audit.services import client_ip
from client_requests.display import detail_rows, group_iban
from client_requests.forms.pipeline import ACCEPT, upload_hint
from client_requests.kinds import (
    SUPPORT_TRANSITIONS,
    AttachmentPurpose,
    RequestKind,
    RequestStatus,
)
from client_requests.models import Attachment, ClientRequest, StatusChange
from client_requests.responses import attachment_response
from client_requests.services import (
    NewFile,
    RequestRefused,
    attachment_open,
    bank_attachment_add,
    request_move,
)
from client_requests.services.rules import TEXT_MAX_LENGTH, TEXT_TOO_LONG
from client_requests.uploads import check_upload
from core.downloads import missing_file_is_404


def attachment_admin_url(attachment: Attachment) -> str:
    return reverse(
        "admin:client_requests_clientrequest_attachment",
        args=[attachment.request_id, attachment.pk],
    )


class DecisionForm(forms.Form):
    to_status = forms.ChoiceField(label=gettext_lazy("Nouveau statut"))
    comment = forms.CharField(
        label=gettext_lazy("Commentaire (visible par l’entreprise)"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        error_messages={"max_length": TEXT_TOO_LONG},
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=gettext_lazy("Obligatoire pour un refus. L’entreprise est prévenue par e-mail."),
    )
    reason = ReasonField()

    def __init__(self, *args: Any, current_status: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_status"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (status, RequestStatus(status).label)
            for status in SUPPORT_TRANSITIONS.get(current_status, ())
        ]


class DraftDocumentationForm(forms.Form):
    document = forms.FileField(
        label=gettext_lazy("Projet de documentation"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document"].help_text = upload_hint(several=False)

    def clean_document(self) -> Any:
        upload = self.cleaned_data["document"]
        self.checked = check_upload(upload)
        return upload


class AttachmentInline(admin.TabularInline):  # type: ignore[type-arg]
    """Read-only: the files are downloaded through an admin view, never by a public URL."""

    model = Attachment
    fields = (
        "download",
        "purpose",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
        "review",
        "review_comment",
        "reviewed_by",
        "reviewed_at",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("uploaded_at", "pk")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("fichier"))
    def download(self, obj: Attachment) -> SafeString:
        return format_html('<a href="{}">{}</a>', attachment_admin_url(obj), obj.original_name)


class StatusChangeInline(admin.TabularInline):  # type: ignore[type-arg]
    model = StatusChange
    fields = (
        "changed_at",
        "from_status",
        "to_status",
        "comment",
        "changed_by",
        "by_bank",
        "notified_at",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("changed_at", "pk")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ClientRequest)
class ClientRequestAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "__str__",
        "company",
        "kind",
        "status",
        "author",
        "created_at",
        "submitted_at",
    )
    list_filter = ("status", "kind", "company")
    search_fields = ("company__name", "company__siren", "author__email")
    date_hierarchy = "created_at"
    list_select_related = ("company", "author")
    ordering = ("-created_at", "-pk")
    fields = (
        "company",
        "kind",
        "status",
        "author",
        "contract",
        "details_display",
        "current_bank_details",
        "message",
        "fee",
        "created_at",
        "updated_at",
        "submitted_at",
        "submitted_by",
        "closed_at",
    )
    readonly_fields = fields
    inlines = (AttachmentInline, StatusChangeInline)
    change_form_template = "admin/client_requests/clientrequest/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ClientRequest]:
        return (
            super()
            .get_queryset(request)
            .select_related("company", "author", "contract", "submitted_by")
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("détails"))
    def details_display(self, obj: ClientRequest) -> SafeString:
        rows = detail_rows(obj.details or {})
        if not rows:
            return format_html("{}", "—")
        return format_html(
            "<dl>{}</dl>",
            format_html_join("", "<dt>{}</dt><dd>{}</dd>", ((r.label, r.value) for r in rows)),
        )

    @admin.display(description=gettext_lazy("RIB actuel de l’entreprise"))
    def current_bank_details(self, obj: ClientRequest) -> str:
        if obj.kind != RequestKind.BANK_DETAILS_CHANGE:
            return "—"
        company = obj.company
        if not company.iban:
            return _("Aucun RIB enregistré")
        return f"{company.bank_account_holder} — {group_iban(company.iban)} — {company.bic}"

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/decision/",
                wrap(require_POST(self.decision_view)),
                name="client_requests_clientrequest_decision",
            ),
            path(
                "<int:object_id>/projet-de-documentation/",
                wrap(require_POST(self.draft_documentation_view)),
                name="client_requests_clientrequest_draft_documentation",
            ),
            path(
                "<int:object_id>/pieces/<int:attachment_id>/",
                wrap(require_GET(self.attachment_view)),
                name="client_requests_clientrequest_attachment",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra_context = dict(extra_context or {})
        client_request = self.get_object(request, object_id)
        if client_request is not None and self.has_change_permission(request, client_request):
            if client_request.status in SUPPORT_TRANSITIONS:
                extra_context["decision_form"] = DecisionForm(current_status=client_request.status)
                extra_context["decision_url"] = reverse(
                    "admin:client_requests_clientrequest_decision", args=[client_request.pk]
                )
            if not client_request.is_closed:
                extra_context["upload_form"] = DraftDocumentationForm()
                extra_context["upload_url"] = reverse(
                    "admin:client_requests_clientrequest_draft_documentation",
                    args=[client_request.pk],
                )
        # every field is read-only: the decision and the uploads are the only writes
        extra_context.update(
            show_save=False, show_save_and_continue=False, show_save_and_add_another=False
        )
        return super().change_view(request, object_id, form_url, extra_context)

    def _changeable(self, request: HttpRequest, object_id: int) -> ClientRequest:
        client_request = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_change_permission(request, client_request):
            raise PermissionDenied
        return client_request

    def _back(self, client_request: ClientRequest) -> HttpResponseRedirect:
        return HttpResponseRedirect(
            reverse("admin:client_requests_clientrequest_change", args=[client_request.pk])
        )

    def _form_errors(self, request: HttpRequest, form: forms.Form) -> None:
        for field, errors in form.errors.get_json_data().items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                text = str(error["message"])
                messages.error(request, f"{label} : {text}" if label else text)

    def decision_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        client_request = self._changeable(request, object_id)
        form = DecisionForm(request.POST, current_status=client_request.status)
        if not form.is_valid():
            self._form_errors(request, form)
            return self._back(client_request)
        try:
            moved = request_move(
                client_request=client_request,
                to_status=RequestStatus(form.cleaned_data["to_status"]),
                comment=form.cleaned_data["comment"],
                reason=form.cleaned_data["reason"],
                by=current_user(request),
                ip_address=client_ip(request),
            )
        except RequestRefused as refusal:
            messages.error(request, refusal.message)
        else:
            text = _("La demande est maintenant « %(status)s » ; l’entreprise est prévenue.") % {
                "status": moved.get_status_display()
            }
            if moved.kind == RequestKind.BANK_DETAILS_CHANGE and moved.status == RequestStatus.DONE:
                text += " " + _("Le RIB de l’entreprise est mis à jour.")
            messages.success(request, text)
        return self._back(client_request)

    def draft_documentation_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        client_request = self._changeable(request, object_id)
        form = DraftDocumentationForm(request.POST, request.FILES)
        if not form.is_valid():
            self._form_errors(request, form)
            return self._back(client_request)
        try:
            bank_attachment_add(
                client_request=client_request,
                new_file=NewFile(
                    upload=form.cleaned_data["document"],
                    checked=form.checked,
                    purpose=AttachmentPurpose.DRAFT_DOCUMENTATION,
                ),
                by=current_user(request),
                ip_address=client_ip(request),
            )
        except RequestRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(
                request, _("Le projet de documentation est déposé : l’entreprise peut le relire.")
            )
        return self._back(client_request)

    @missing_file_is_404
    def attachment_view(
        self, request: HttpRequest, object_id: int, attachment_id: int
    ) -> HttpResponseBase:
        client_request = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_view_permission(request, client_request):
            raise PermissionDenied
        try:
            attachment = Attachment.objects.select_related("request__company").get(
                request=client_request, pk=attachment_id
            )
        except Attachment.DoesNotExist:
            raise Http404 from None
        file = attachment_open(
            attachment=attachment, by=current_user(request), ip_address=client_ip(request)
        )
        return attachment_response(attachment, file)
