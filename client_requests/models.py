import uuid
from decimal import Decimal

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.utils.translation import gettext_lazy as _

from client_requests.kinds import (
    CLOSED_STATUSES,
    KIND_RIGHT,
    AttachmentPurpose,
    DraftReview,
    RequestKind,
    RequestStatus,
)
from companies.models import Company, Contract
from permissions.catalogue import Right


def private_storage() -> Storage:
    """Files with no public URL: they are served only by views that check the reader's rights."""
    return storages["private"]


def attachment_path(instance: "Attachment", filename: str) -> str:
    # the stored name says nothing of the person's file name, which stays in `original_name`
    return f"requests/{instance.request.company_id}/{uuid.uuid4().hex}"


class ClientRequestQuerySet(models.QuerySet["ClientRequest"]):
    def open(self) -> "ClientRequestQuerySet":
        return self.exclude(status__in=CLOSED_STATUSES)

    def table_columns(self) -> "ClientRequestQuerySet":
        """Only what the table of requests writes (`request_rows`): a page of rows loads neither
        the authors' other fields (each mobile number parsed) nor the contracts' terms."""
        return self.only(
            "pk",
            "company_id",
            "kind",
            "status",
            "details",
            "fee",
            "created_at",
            "contract__reference",
            "author__first_name",
            "author__last_name",
            "author__email",
        )


class ClientRequest(models.Model):
    """One request a company makes to its bank; every section of the company space files these."""

    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="requests", verbose_name=_("entreprise")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="client_requests",
        verbose_name=_("auteur"),
    )
    kind = models.CharField(_("type"), max_length=32, choices=RequestKind.choices)
    status = models.CharField(
        _("statut"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.DRAFT
    )
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("contrat"),
    )
    # what the section's form validated (amounts as strings, dates ISO), shown as label: value
    details = models.JSONField(_("détails"), default=dict, blank=True)
    message = models.TextField(_("message"), max_length=4000, blank=True)
    fee = models.DecimalField(
        _("frais"), max_digits=8, decimal_places=2, default=Decimal("0"), blank=True
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    submitted_at = models.DateTimeField(_("soumise le"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("soumise par"),
    )
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)

    objects = ClientRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("demande")
        verbose_name_plural = _("demandes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=RequestKind.values), name="request_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=RequestStatus.values), name="request_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(fee__gte=0), name="request_fee_positive"),
            models.CheckConstraint(
                condition=models.Q(status=RequestStatus.DRAFT)
                | models.Q(submitted_at__isnull=False),
                name="request_submitted_has_date",
            ),
        ]
        indexes = [models.Index(fields=["company", "kind", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} n° {self.pk}"

    @property
    def right(self) -> Right:
        return KIND_RIGHT[RequestKind(self.kind)]

    @property
    def is_draft(self) -> bool:
        return self.status == RequestStatus.DRAFT

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class Attachment(models.Model):
    """A file on a request: the company's supporting documents, or the bank's draft documentation."""

    request = models.ForeignKey(
        ClientRequest,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("demande"),
    )
    purpose = models.CharField(_("nature"), max_length=24, choices=AttachmentPurpose.choices)
    file = models.FileField(_("fichier"), upload_to=attachment_path, storage=private_storage)
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    content_type = models.CharField(_("type"), max_length=64)
    size = models.PositiveIntegerField(_("taille (octets)"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("déposé par"),
    )
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)
    # draft documentation from the bank is approved or sent back by the company
    review = models.CharField(
        _("relecture"), max_length=16, choices=DraftReview.choices, blank=True
    )
    review_comment = models.TextField(_("commentaire de relecture"), max_length=4000, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("relu par"),
    )
    reviewed_at = models.DateTimeField(_("relu le"), null=True, blank=True)

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(purpose__in=AttachmentPurpose.values),
                name="attachment_purpose_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(review__in=[*DraftReview.values, ""]),
                name="attachment_review_valid",
            ),
            # only the bank's drafts are reviewed, and each of them is
            models.CheckConstraint(
                condition=(
                    models.Q(purpose=AttachmentPurpose.DRAFT_DOCUMENTATION) & ~models.Q(review="")
                )
                | (~models.Q(purpose=AttachmentPurpose.DRAFT_DOCUMENTATION) & models.Q(review="")),
                name="attachment_review_only_drafts",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_draft_documentation(self) -> bool:
        return self.purpose == AttachmentPurpose.DRAFT_DOCUMENTATION


class StatusChange(models.Model):
    """The history the company sees: each move of a request, with the bank's comment."""

    request = models.ForeignKey(
        ClientRequest,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("demande"),
    )
    from_status = models.CharField(
        _("ancien statut"), max_length=16, choices=RequestStatus.choices, blank=True
    )
    to_status = models.CharField(_("nouveau statut"), max_length=16, choices=RequestStatus.choices)
    comment = models.TextField(_("commentaire"), max_length=4000, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("par"),
    )
    by_bank = models.BooleanField(_("par la banque"), default=False)
    changed_at = models.DateTimeField(_("le"), auto_now_add=True)
    # set once the company has been emailed about a bank's move: a task run twice sends nothing more
    notified_at = models.DateTimeField(_("entreprise prévenue le"), null=True, blank=True)

    class Meta:
        verbose_name = _("changement de statut")
        verbose_name_plural = _("changements de statut")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_status__in=RequestStatus.values),
                name="status_change_to_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"
