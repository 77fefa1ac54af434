"""Support's list of access reviews: which are overdue, and the signed PDFs."""

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from core.downloads import file_download, missing_file_is_404
from reviews.models import AccessReview, ReviewStatus
from reviews.services import review_filename, review_pdf_file


class OverdueFilter(admin.SimpleListFilter):
    title = _("retard")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("En retard"))]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[AccessReview]
    ) -> QuerySet[AccessReview]:
        if self.value() == "yes":
            return queryset & AccessReview.objects.overdue(today=timezone.localdate())
        return queryset


@admin.register(AccessReview)
class AccessReviewAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("company", "version", "status", "due_on", "overdue", "signed_at", "signed_by")
    list_filter = ("status", OverdueFilter)
    list_select_related = ("company", "signed_by")
    search_fields = ("company__name", "company__siren")
    ordering = ("-due_on", "-pk")
    fields = (
        "company",
        "version",
        "status",
        "due_on",
        "started_at",
        "due_notified_at",
        "reminded_week",
        "signed_at",
        "signed_by",
        "method",
        "phone_masked",
        "passkey_name",
        "payload_digest",
        "ip_address",
        "user_agent",
        "document",
        "statement",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("en retard"), boolean=True)
    def overdue(self, obj: AccessReview) -> bool:
        return obj.is_overdue(timezone.localdate())

    @admin.display(description=_("document"))
    def document(self, obj: AccessReview) -> SafeString | str:
        if obj.status != ReviewStatus.SIGNED:
            return "—"
        url = reverse("admin:reviews_accessreview_pdf", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Télécharger la revue signée (PDF)"))

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:review_id>/pdf/",
                self.admin_site.admin_view(require_GET(self.pdf_view)),
                name="reviews_accessreview_pdf",
            ),
            *super().get_urls(),
        ]

    @missing_file_is_404
    def pdf_view(self, request: HttpRequest, review_id: int) -> HttpResponseBase:
        # admin_view lets only active staff in; the model's view permission decides the rest
        if not self.has_view_permission(request):
            raise PermissionDenied
        review = (
            AccessReview.objects.filter(pk=review_id, status=ReviewStatus.SIGNED)
            .select_related("company", "signed_by")
            .first()
        )
        if review is None:
            raise Http404
        return file_download(
            review_pdf_file(review=review),
            filename=review_filename(review),
            content_type="application/pdf",
        )
