"""What a company can ask its bank for, and the right that covers each kind of request."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from companies.models import ContractKind
from permissions.catalogue import Right


class RequestKind(models.TextChoices):
    DUPLICATE = "duplicate", _("Demande de duplicata")
    CREDIT_RENUNCIATION = "credit_renunciation", _("Renonciation à un crédit non utilisé")
    DISBURSEMENT = "disbursement", _("Demande de décaissement")
    EARLY_REPAYMENT = "early_repayment", _("Demande de remboursement anticipé")
    STATEMENT = "statement", _("Demande de décompte")
    NEW_CONTRACT = "new_contract", _("Souscription d’un nouveau contrat")
    PRODUCT_ACCESS = "product_access", _("Accès à un autre produit")
    AMENDMENT = "amendment", _("Demande d’avenant")
    BANK_DETAILS_CHANGE = "bank_details_change", _("Changement de RIB")
    EARLY_PURCHASE_OPTION = "early_purchase_option", _("Levée d’option anticipée (CBM)")
    TERMINATION_WITH_SALE = (
        "termination_with_sale",
        _("Résiliation avec vente du matériel (LOCFI)"),
    )


# The one table of who may see and work a request: its author, and the members holding this right.
KIND_RIGHT: dict[RequestKind, Right] = {
    RequestKind.DUPLICATE: Right.DOCUMENTS,
    RequestKind.CREDIT_RENUNCIATION: Right.FUND_OPERATIONS,
    RequestKind.DISBURSEMENT: Right.FUND_OPERATIONS,
    RequestKind.EARLY_REPAYMENT: Right.FUND_OPERATIONS,
    RequestKind.STATEMENT: Right.FUND_OPERATIONS,
    RequestKind.NEW_CONTRACT: Right.COMPANY_REQUESTS,
    RequestKind.PRODUCT_ACCESS: Right.COMPANY_REQUESTS,
    RequestKind.AMENDMENT: Right.COMPANY_REQUESTS,
    RequestKind.BANK_DETAILS_CHANGE: Right.BANK_DETAILS,
    RequestKind.EARLY_PURCHASE_OPTION: Right.EARLY_BUYOUT,
    RequestKind.TERMINATION_WITH_SALE: Right.EARLY_BUYOUT,
}


class OperationScope(models.TextChoices):
    """A renunciation or an early repayment is of the whole amount or of a part of it."""

    TOTAL = "total", _("Totale")
    PARTIAL = "partiel", _("Partielle")


# What each section files, and the contracts it files them on.
FUND_OPERATION_KINDS = (
    RequestKind.CREDIT_RENUNCIATION,
    RequestKind.DISBURSEMENT,
    RequestKind.EARLY_REPAYMENT,
    RequestKind.STATEMENT,
)
FUND_OPERATION_CONTRACT_KINDS = (ContractKind.CLUB,)
BANK_DETAILS_KINDS = (RequestKind.BANK_DETAILS_CHANGE,)
# the kinds filed in the section "Demandes de l'entreprise"
COMPANY_REQUEST_KINDS = (
    RequestKind.NEW_CONTRACT,
    RequestKind.PRODUCT_ACCESS,
    RequestKind.AMENDMENT,
)
EARLY_BUYOUT_KINDS = (RequestKind.EARLY_PURCHASE_OPTION, RequestKind.TERMINATION_WITH_SALE)
EARLY_BUYOUT_CONTRACT_KINDS = (ContractKind.CBM, ContractKind.LOCFI)
# CBM: the lessee buys the equipment early; LOCFI: the lease ends and the equipment is sold.
BUYOUT_KIND_OF_CONTRACT: dict[str, RequestKind] = {
    ContractKind.CBM: RequestKind.EARLY_PURCHASE_OPTION,
    ContractKind.LOCFI: RequestKind.TERMINATION_WITH_SALE,
}


def kinds_covered_by(rights: frozenset[Right] | set[Right]) -> list[RequestKind]:
    return [kind for kind, right in KIND_RIGHT.items() if right in rights]


class RequestStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Soumise")
    IN_REVIEW = "in_review", _("En cours d’instruction")
    DONE = "done", _("Traitée")
    REFUSED = "refused", _("Refusée")


# The moves support staff may make; the company moves a draft to submitted.
SUPPORT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    RequestStatus.SUBMITTED: (RequestStatus.IN_REVIEW, RequestStatus.DONE, RequestStatus.REFUSED),
    RequestStatus.IN_REVIEW: (RequestStatus.DONE, RequestStatus.REFUSED),
}

CLOSED_STATUSES = (RequestStatus.DONE, RequestStatus.REFUSED)


class AttachmentPurpose(models.TextChoices):
    PROOF_OF_POWER = "proof_of_power", _("Justificatif de pouvoir")
    SUPPORTING = "supporting", _("Pièce justificative")
    DRAFT_DOCUMENTATION = "draft_documentation", _("Projet de documentation (de la banque)")


class DraftReview(models.TextChoices):
    PENDING = "pending", _("À relire")
    APPROVED = "approved", _("Approuvé")
    RETURNED = "returned", _("Renvoyé avec commentaire")
