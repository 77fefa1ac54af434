import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from client_requests.models import private_storage
from companies.models import Contract


class DocumentKind(models.TextChoices):
    CONTRACT = "contrat", _("Contrat")
    AMENDMENT = "avenant", _("Avenant")
    AMORTISATION_TABLE = "tableau_amortissement", _("Tableau d’amortissement")
    CERTIFICATE = "attestation", _("Attestation")
    OTHER = "autre", _("Autre document")


def document_path(instance: "ContractDocument", filename: str) -> str:
    # the stored name says nothing of the file's name, which stays in `original_name`
    return f"contracts/{instance.contract_id}/{uuid.uuid4().hex}"


class ContractDocument(models.Model):
    """A document of a contract, put there by the bank; served only by a view that checks rights."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="documents", verbose_name=_("contrat")
    )
    title = models.CharField(_("intitulé"), max_length=200)
    kind = models.CharField(_("nature"), max_length=24, choices=DocumentKind.choices)
    file = models.FileField(_("fichier"), upload_to=document_path, storage=private_storage)
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    content_type = models.CharField(_("type"), max_length=64)
    size = models.PositiveIntegerField(_("taille (octets)"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    added_at = models.DateTimeField(_("ajouté le"), auto_now_add=True)

    class Meta:
        verbose_name = _("document de contrat")
        verbose_name_plural = _("documents de contrat")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=DocumentKind.values),
                name="contract_document_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(content_type__in=["application/pdf", "image/jpeg", "image/png"]),
                name="contract_document_type_accepted",
            ),
            models.CheckConstraint(
                condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$"),
                name="contract_document_sha256_hex",
            ),
        ]
        indexes = [models.Index(fields=["contract", "added_at"])]

    def __str__(self) -> str:
        return self.title
