"""Four eyes on what opens the door: one support agent proposes, a second one approves."""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from companies.models import Company

PROPOSAL_LIFETIME = datetime.timedelta(hours=24)


class ProposalKind(models.TextChoices):
    """What a proposal changes; each kind has its spec in backoffice.kinds (how it is checked,
    shown to the approver and applied through the owning app's service)."""

    MOBILE_CHANGE = "mobile_change", _("Changer le mobile d’un administrateur")
    EMAIL_CHANGE = "email_change", _("Changer l’adresse e-mail d’un administrateur")
    SIGNING_UNLOCK = "signing_unlock", _("Débloquer la signature")
    MONEY_RIGHTS = "money_rights", _("Accorder un droit qui engage des fonds")
    BANK_DETAILS = "bank_details", _("Valider un changement de RIB")
    LOGIN_UNLOCK = "login_unlock", _("Débloquer la connexion")
    SECOND_FACTORS_RESET = "factors_reset", _("Réinitialiser les seconds facteurs")
    ADMIN_ROLE = "admin_role", _("Nommer un administrateur")
    ACCOUNT_REACTIVATION = (
        "account_reactivation",
        _("Réactiver un compte qui détient un droit engageant des fonds"),
    )
    MEMBER_REACTIVATION = (
        "member_reactivation",
        _("Réactiver un collaborateur qui détient un droit engageant des fonds"),
    )


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("À approuver")
    APPROVED = "approved", _("Approuvée")
    REFUSED = "refused", _("Refusée")
    EXPIRED = "expired", _("Expirée")


class Proposal(models.Model):
    kind = models.CharField(_("nature"), max_length=32, choices=ProposalKind.choices)
    status = models.CharField(
        _("statut"),
        max_length=16,
        choices=ProposalStatus.choices,
        default=ProposalStatus.PROPOSED,
    )
    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entreprise"),
    )
    # the person, member or request the change is about (its model depends on the kind)
    subject_id = models.CharField(_("identifiant de l’objet"), max_length=64)
    subject_repr = models.CharField(_("objet"), max_length=300)
    payload = models.JSONField(_("changement proposé"), default=dict)
    reason = models.TextField(_("motif"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposée par"),
    )
    created_at = models.DateTimeField(_("proposée le"))
    expires_at = models.DateTimeField(_("expire le"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("décidée par"),
    )
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    refusal_reason = models.TextField(_("motif du refus"), blank=True)

    class Meta:
        verbose_name = _("proposition du support")
        verbose_name_plural = _("propositions du support")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ProposalKind.values), name="proposal_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ProposalStatus.values),
                name="proposal_status_valid",
            ),
            # the proposer never decides: the database says it too
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | ~models.Q(decided_by=models.F("proposed_by")),
                name="proposal_decided_by_another_agent",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="proposal_pending_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.subject_repr}"

    def is_expired(self, now: datetime.datetime) -> bool:
        return self.expires_at <= now
