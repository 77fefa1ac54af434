from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from companies.models import Membership


class RightsChangeStatus(models.TextChoices):
    AWAITING_SIGNATURE = "awaiting_signature", _("En attente de signature")
    APPLIED = "applied", _("Appliquée")
    CANCELLED = "cancelled", _("Annulée")
    SUPERSEDED = "superseded", _("Remplacée par une demande plus récente")


class RightsChangeOrigin(models.TextChoices):
    COMPANY = "company", _("Administrateur de l’entreprise")
    SUPPORT = "support", _("Support de la banque")
    EXPIRY = "expiry", _("Fin de validité d’un droit")


class RightsChange(models.Model):
    """A change of a collaborator's rights: the new full set, signed when it adds a right.

    Made by the company's administrator: a removal only is applied at once (no authorisation); an
    addition waits for the administrator's signature and is applied with the access authorisation
    it produced. Made by the bank's support (`origin`), from the Django admin: applied at once,
    never signed, and it closes the member's open authorisation (see
    `teams.services.support.membership_rights_set_by_support`).
    """

    membership = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        related_name="rights_changes",
        verbose_name=_("membre"),
    )
    # none: the rights ended on their date (origin "expiry"), no one asked
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("demandé par"),
    )
    rights = models.JSONField(_("nouveaux droits"), default=list)
    previous_rights = models.JSONField(_("droits précédents"), default=list)
    # {right: "YYYY-MM-DD"}: the last day of each end-dated right, after and before the change
    ends_on = models.JSONField(_("dates de fin"), default=dict, blank=True)
    previous_ends_on = models.JSONField(_("dates de fin précédentes"), default=dict, blank=True)
    status = models.CharField(
        _("statut"),
        max_length=20,
        choices=RightsChangeStatus.choices,
        default=RightsChangeStatus.AWAITING_SIGNATURE,
    )
    origin = models.CharField(
        _("origine"),
        max_length=10,
        choices=RightsChangeOrigin.choices,
        default=RightsChangeOrigin.COMPANY,
    )
    challenge = models.ForeignKey(
        "otp.SignatureChallenge",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("demande de code de signature"),
    )
    authorisation = models.OneToOneField(
        "otp.AccessAuthorisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rights_change",
        verbose_name=_("autorisation d’accès"),
    )
    created_at = models.DateTimeField(_("demandée le"))
    applied_at = models.DateTimeField(_("appliquée le"), null=True, blank=True)
    member_notified_at = models.DateTimeField(_("membre prévenu le"), null=True, blank=True)
    admins_notified_at = models.DateTimeField(
        _("administrateurs prévenus le"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("modification des droits")
        verbose_name_plural = _("modifications des droits")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=RightsChangeStatus.values),
                name="rights_change_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=RightsChangeStatus.APPLIED)
                | models.Q(applied_at__isnull=False),
                name="rights_change_applied_has_time",
            ),
            models.CheckConstraint(
                condition=models.Q(authorisation__isnull=True)
                | models.Q(status=RightsChangeStatus.APPLIED),
                name="rights_change_authorisation_only_when_applied",
            ),
            models.UniqueConstraint(
                fields=["membership"],
                condition=models.Q(status=RightsChangeStatus.AWAITING_SIGNATURE),
                name="rights_change_one_pending_per_member",
            ),
            models.CheckConstraint(
                condition=models.Q(origin__in=RightsChangeOrigin.values),
                name="rights_change_origin_valid",
            ),
            # support's change is applied as it is made, and signed by no one
            models.CheckConstraint(
                condition=~models.Q(origin=RightsChangeOrigin.SUPPORT)
                | models.Q(
                    status=RightsChangeStatus.APPLIED,
                    authorisation__isnull=True,
                    challenge__isnull=True,
                ),
                name="rights_change_support_applied_unsigned",
            ),
            # a right that reached its end date is closed by the daily task, signed by no one
            models.CheckConstraint(
                condition=~models.Q(origin=RightsChangeOrigin.EXPIRY)
                | models.Q(
                    status=RightsChangeStatus.APPLIED,
                    authorisation__isnull=True,
                    challenge__isnull=True,
                ),
                name="rights_change_expiry_applied_unsigned",
            ),
            models.CheckConstraint(
                condition=models.Q(origin=RightsChangeOrigin.EXPIRY)
                | models.Q(requested_by__isnull=False),
                name="rights_change_requested_by_unless_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership} ({self.get_status_display()})"

    @property
    def added(self) -> list[str]:
        return [r for r in self.rights if r not in self.previous_rights]

    @property
    def removed(self) -> list[str]:
        return [r for r in self.previous_rights if r not in self.rights]

    @property
    def extended(self) -> list[str]:
        """The rights kept whose end date changed."""
        return [
            r
            for r in self.rights
            if r in self.previous_rights and self.ends_on.get(r) != self.previous_ends_on.get(r)
        ]

    @property
    def awaits_signature(self) -> bool:
        return self.status == RightsChangeStatus.AWAITING_SIGNATURE

    @property
    def by_support(self) -> bool:
        return self.origin == RightsChangeOrigin.SUPPORT
