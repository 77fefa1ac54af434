import datetime

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from companies.models import Company
from otp.models import AccessAuthorisation, SignatureChallenge


class InvitationStatus(models.TextChoices):
    AWAITING_SIGNATURE = "awaiting_signature", _("En attente de signature")
    SIGNED = "signed", _("Signée, envoi en cours")
    SENT = "sent", _("Envoyée")
    ACCEPTED = "accepted", _("Acceptée")
    EXPIRED = "expired", _("Expirée")
    REVOKED = "revoked", _("Révoquée")
    FAILED = "failed", _("Échec d’envoi")


OPEN_STATUSES = (
    InvitationStatus.AWAITING_SIGNATURE,
    InvitationStatus.SIGNED,
    InvitationStatus.SENT,
    InvitationStatus.FAILED,
)

# a batch signed with one code invites at most this many people
BATCH_MAX_INVITEES = 10

# a new link may replace one that was emailed, one whose email failed, or one that expired
RESENDABLE_STATUSES = (InvitationStatus.SENT, InvitationStatus.FAILED, InvitationStatus.EXPIRED)


# an expired invitation stays listed in Mes équipes this long, so that it can be resent
EXPIRED_LISTED_DAYS = 30


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def open(self) -> "InvitationQuerySet":
        return self.filter(status__in=OPEN_STATUSES)

    def listed(self, *, now: datetime.datetime) -> "InvitationQuerySet":
        """The open ones, and those that expired lately: Mes équipes offers to resend them."""
        since = now - datetime.timedelta(days=EXPIRED_LISTED_DAYS)
        return self.filter(
            models.Q(status__in=OPEN_STATUSES)
            | models.Q(status=InvitationStatus.EXPIRED, expires_at__gte=since)
        )


class InvitationBatch(models.Model):
    """Several collaborators invited at once, with the same rights, and signed with one code."""

    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        related_name="invitation_batches",
        verbose_name=_("entreprise"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("invité par"),
    )
    created_at = models.DateTimeField(_("créé le"))
    signed_at = models.DateTimeField(_("signé le"), null=True, blank=True)
    challenge = models.ForeignKey(
        SignatureChallenge,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("demande de code de signature"),
    )

    class Meta:
        verbose_name = _("groupe d’invitations")
        verbose_name_plural = _("groupes d’invitations")

    def __str__(self) -> str:
        return f"{self.company} ({self.created_at:%d/%m/%Y %H:%M})"


class Invitation(models.Model):
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("entreprise")
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="invitations_sent",
        verbose_name=_("invité par"),
    )
    email = models.EmailField(_("adresse e-mail"))
    first_name = models.CharField(_("prénom"), max_length=150)
    last_name = models.CharField(_("nom"), max_length=150)
    mobile = PhoneNumberField(_("mobile"), blank=True)
    rights = models.JSONField(_("droits"), default=list)
    # {right: "YYYY-MM-DD"}: the last day of each end-dated right, as signed
    ends_on = models.JSONField(_("dates de fin"), default=dict, blank=True)
    status = models.CharField(
        _("statut"),
        max_length=20,
        choices=InvitationStatus.choices,
        default=InvitationStatus.AWAITING_SIGNATURE,
    )
    challenge = models.ForeignKey(
        SignatureChallenge,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("demande de code de signature"),
    )
    authorisation = models.OneToOneField(
        AccessAuthorisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitation",
        verbose_name=_("autorisation d’accès"),
    )
    # signed with the others of its batch while it belongs to one; an edit of its rights frees it
    batch = models.ForeignKey(
        InvitationBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("groupe d’invitations"),
    )
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    # the link a newer email replaced (a reminder, a resend): its page says so, with the date
    replaced_token_hash = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    link_replaced_at = models.DateTimeField(_("lien remplacé le"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("relancée le"), null=True, blank=True)
    expiry_notified_at = models.DateTimeField(_("expiration signalée le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"))
    signed_at = models.DateTimeField(_("signée le"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)
    failed_at = models.DateTimeField(_("échec le"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepté par"),
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=InvitationStatus.values),
                name="invitation_status_valid",
            ),
            models.UniqueConstraint(
                "company",
                Lower("email"),
                condition=models.Q(status__in=OPEN_STATUSES),
                name="invitation_one_open_per_email",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=[InvitationStatus.SIGNED, InvitationStatus.SENT])
                | models.Q(authorisation__isnull=False),
                name="invitation_signed_has_authorisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} <{self.email}>"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def awaits_signature(self) -> bool:
        return self.status == InvitationStatus.AWAITING_SIGNATURE

    @property
    def can_be_resent(self) -> bool:
        return self.status in RESENDABLE_STATUSES

    @property
    def can_be_revoked(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def rights_can_be_edited(self) -> bool:
        """Until it is accepted; a signed one goes back to awaiting a new signature."""
        return self.status in OPEN_STATUSES

    @property
    def reminder_due_at(self) -> datetime.datetime | None:
        """When the invitee will be reminded, for a link sent and not reminded yet."""
        if self.status != InvitationStatus.SENT or self.reminded_at or self.expires_at is None:
            return None
        return self.expires_at - datetime.timedelta(
            days=settings.INVITATION_REMINDER_DAYS_BEFORE_EXPIRY
        )

    def is_expired(self, now: datetime.datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now
