"""The only list of rights a company member can hold (from the bank's "Mes équipes" page)."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from companies.models import ContractKind


class Right(models.TextChoices):
    DOCUMENTS = (
        "documents",
        _("Accéder aux informations financières et documentaires de l’entreprise"),
    )
    FUND_OPERATIONS = (
        "fund_operations",
        _(
            "Effectuer les opérations relatives à la gestion des fonds "
            "(dans le cadre des financements octroyés)"
        ),
    )
    COMPANY_REQUESTS = (
        "company_requests",
        _(
            "Suivre, compléter et soumettre les demandes de l'entreprise initiées par d'autres "
            "utilisateurs pour souscrire de nouveaux contrats, demander l’accès à d’autres produits "
            "ou effectuer une demande d’avenant"
        ),
    )
    TREASURY = "treasury", _("Accéder au service Suivi de trésorerie")
    BANK_DETAILS = "bank_details", _("Effectuer un changement de RIB")
    EARLY_BUYOUT = "early_buyout", _("Effectuer une demande de rachat anticipé")


@dataclass(frozen=True)
class RightSpec:
    right: Right
    short_label: str | Promise
    detail: str | Promise
    is_new: bool = False
    contract_kinds: tuple[ContractKind, ...] = ()
    condition: str | Promise = ""
    moves_money: bool = False

    @property
    def label(self) -> str:
        return str(self.right.label)


CATALOGUE: dict[Right, RightSpec] = {
    spec.right: spec
    for spec in (
        RightSpec(
            Right.DOCUMENTS,
            short_label=_("Documents"),
            detail=_(
                "Cette personne pourra télécharger et accéder à la documentation contractuelle et "
                "aux tableaux d’amortissements. Elle aura la possibilité d’effectuer des demandes "
                "de duplicatas."
            ),
        ),
        RightSpec(
            Right.FUND_OPERATIONS,
            short_label=_("Gestion des fonds"),
            detail=_(
                "Cette personne pourra renoncer à un crédit ou une ligne de crédit non utilisé(e), "
                "demander un décaissement, faire une demande de remboursement anticipé et demander "
                "un décompte en ce sens."
            ),
            is_new=True,
            contract_kinds=(ContractKind.CLUB,),
            condition=_("Spécifique aux contrats CLUB"),
            moves_money=True,
        ),
        RightSpec(
            Right.COMPANY_REQUESTS,
            short_label=_("Demandes de l’entreprise"),
            detail=_(
                "Cette personne pourra également transmettre des éléments constitutifs et relire "
                "les projets de documentation."
            ),
        ),
        RightSpec(
            Right.TREASURY,
            short_label=_("Suivi de trésorerie"),
            detail=_(
                "Cette personne pourra accéder au service de suivi de trésorerie, y compris, si "
                "l’entreprise dispose d’un abonnement actif, aux fonctionnalités exclusives à "
                "celui-ci."
            ),
        ),
        RightSpec(
            Right.BANK_DETAILS,
            short_label=_("Changement de RIB"),
            detail=_(
                "Cette personne pourra effectuer un changement de RIB sous réserve de justifier "
                "d’un pouvoir."
            ),
            is_new=True,
            moves_money=True,
        ),
        RightSpec(
            Right.EARLY_BUYOUT,
            short_label=_("Rachat anticipé"),
            detail=_(
                "Cette personne pourra effectuer une demande de levée d'option anticipée (rachat "
                "anticipé) d'un contrat de crédit-bail ou une demande de résiliation du contrat avec "
                "vente du matériel d'un contrat de location financière sous réserve de la "
                "justification d’un pouvoir à cet effet."
            ),
            is_new=True,
            contract_kinds=(ContractKind.CBM, ContractKind.LOCFI),
            condition=_("Spécifique aux contrats CBM ou LOCFI (Equipement)"),
            moves_money=True,
        ),
    )
}


@dataclass(frozen=True)
class RightOption:
    """One right as offered to a given company: enabled, or disabled with the reason."""

    spec: RightSpec
    enabled: bool
    reason: str | Promise = ""
    note: str | Promise = ""

    @property
    def code(self) -> str:
        return self.spec.right.value


def duplicate_fee_note(*, has_entreprise_subscription: bool) -> str:
    if has_entreprise_subscription:
        return str(_("Duplicatas inclus dans votre abonnement Entreprise."))
    return str(
        _("Duplicatas facturés %(fee)s € (gratuits avec l’abonnement Entreprise).")
        % {"fee": settings.DUPLICATE_FEE_EUROS}
    )


def right_options(
    *, held_contract_kinds: Iterable[str], has_entreprise_subscription: bool
) -> list[RightOption]:
    """The catalogue as this company may grant it: a right whose contracts it lacks is disabled."""
    held = set(held_contract_kinds)
    options = []
    for spec in CATALOGUE.values():
        note = ""
        if spec.right == Right.DOCUMENTS:
            note = duplicate_fee_note(has_entreprise_subscription=has_entreprise_subscription)
        if spec.contract_kinds and not held.intersection(spec.contract_kinds):
            kinds = ", ".join(str(ContractKind(k).label) for k in spec.contract_kinds)
            reason = _("Votre entreprise ne détient aucun contrat concerné (%(kinds)s).") % {
                "kinds": kinds
            }
            options.append(RightOption(spec, enabled=False, reason=reason, note=note))
        else:
            options.append(RightOption(spec, enabled=True, note=note))
    return options


def sorted_rights(rights: Iterable[str]) -> list[Right]:
    """Rights in catalogue order, the order every page and every digest uses."""
    wanted = {Right(r) for r in rights}
    return [right for right in CATALOGUE if right in wanted]


def specs_for(rights: Iterable[str]) -> list[RightSpec]:
    """The catalogue entries of these right codes, in catalogue order."""
    return [CATALOGUE[right] for right in sorted_rights(rights)]
