"""The periodic access review: every member's rights kept or removed, signed once for the team.

A review is opened when it comes due (or earlier, by an administrator); each member the
administrator changes gets a draft decision; one signature, bound to the digest of every member's
kept rights with their end dates and of the removals, applies the removals and keeps the evidence
(`signed_*`, the `members` and `removals` signed). The reviews of one company are numbered 1, 2…
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from companies.models import Company, Membership

# a review still unsigned this many days after its due date is overdue: reminded every week
OVERDUE_AFTER_DAYS = 30


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("En cours")
    SIGNED = "signed", _("Signée")


class SignatureMethod(models.TextChoices):
    SMS = "sms", _("Code SMS")
    PASSKEY = "passkey", _("Clé d’accès")


class AccessReviewQuerySet(models.QuerySet["AccessReview"]):
    def overdue(self, *, today: datetime.date) -> "AccessReviewQuerySet":
        return self.filter(
            status=ReviewStatus.OPEN,
            due_on__lt=today - datetime.timedelta(days=OVERDUE_AFTER_DAYS),
        )


class AccessReview(models.Model):
    company = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        related_name="access_reviews",
        verbose_name=_("entreprise"),
    )
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("statut"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    due_on = models.DateField(_("due le"))
    started_at = models.DateTimeField(_("ouverte le"))
    due_notified_at = models.DateTimeField(_("administrateurs prévenus le"), null=True, blank=True)
    # the ISO week ("2027-W05") of the last reminder of an overdue review
    reminded_week = models.CharField(_("dernier rappel (semaine)"), max_length=8, blank=True)
    challenge = models.ForeignKey(
        "otp.SignatureChallenge",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("défi de signature"),
    )
    signed_at = models.DateTimeField(_("signée le"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signée par"),
    )
    method = models.CharField(
        _("moyen de signature"), max_length=10, choices=SignatureMethod.choices, blank=True
    )
    phone_masked = models.CharField(_("code envoyé au"), max_length=32, blank=True)
    passkey_name = models.CharField(_("clé d’accès"), max_length=100, blank=True)
    payload_digest = models.CharField(_("empreinte du contenu signé"), max_length=64, blank=True)
    statement = models.TextField(_("texte signé"), blank=True)
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    user_agent = models.CharField(_("navigateur"), max_length=400, blank=True)
    # what was signed: every member kept with their rights and end dates, and the removals
    members = models.JSONField(_("membres conservés"), default=list, blank=True)
    removals = models.JSONField(_("retraits"), default=list, blank=True)
    pdf = models.CharField(_("PDF signé"), max_length=255, blank=True)
    pdf_sha256 = models.CharField(_("empreinte SHA-256 du PDF"), max_length=64, blank=True)

    objects = AccessReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("revue des accès")
        verbose_name_plural = _("revues des accès")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "version"], name="access_review_version_unique"
            ),
            models.UniqueConstraint(
                fields=["company"],
                condition=models.Q(status=ReviewStatus.OPEN),
                name="access_review_one_open",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ReviewStatus.values),
                name="access_review_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ReviewStatus.SIGNED)
                | models.Q(signed_at__isnull=False, signed_by__isnull=False),
                name="access_review_signed_has_signer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} — v{self.version}"

    @property
    def is_open(self) -> bool:
        return self.status == ReviewStatus.OPEN

    def is_overdue(self, today: datetime.date) -> bool:
        return self.is_open and self.due_on < today - datetime.timedelta(days=OVERDUE_AFTER_DAYS)


class Decision(models.TextChoices):
    KEEP = "keep", _("Conserver")
    REMOVE_RIGHTS = "remove_rights", _("Retirer des droits")
    REMOVE_MEMBER = "remove_member", _("Retirer de l’équipe")


class ReviewDecision(models.Model):
    """What the administrator chose for one member, until the review is signed (default: keep)."""

    review = models.ForeignKey(
        AccessReview,
        on_delete=models.CASCADE,
        related_name="decisions",
        verbose_name=_("revue"),
    )
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("membre")
    )
    decision = models.CharField(
        _("décision"), max_length=20, choices=Decision.choices, default=Decision.KEEP
    )
    removed_rights = models.JSONField(_("droits retirés"), default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("décidé par"),
    )
    decided_at = models.DateTimeField(_("décidé le"))

    class Meta:
        verbose_name = _("décision de revue")
        verbose_name_plural = _("décisions de revue")
        constraints = [
            models.UniqueConstraint(
                fields=["review", "membership"], name="review_decision_member_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(decision__in=Decision.values),
                name="review_decision_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review}: {self.membership_id} {self.decision}"
