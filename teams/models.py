from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Company(models.Model):
    name = models.CharField(_("raison sociale"), max_length=200)
    siren = models.CharField(_("SIREN"), max_length=9, unique=True)
    has_entreprise_subscription = models.BooleanField(_("abonnement Entreprise"), default=False)
    # the RIB the bank pays and debits; only support changes it, after validating a request
    bank_account_holder = models.CharField(_("titulaire du compte"), max_length=140, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    bank_details_changed_at = models.DateTimeField(_("RIB changé le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("entreprise")
        verbose_name_plural = _("entreprises")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(siren__regex=r"^[0-9]{9}$"), name="company_siren_nine_digits"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ContractKind(models.TextChoices):
    LOAN = "loan", _("Crédit classique")
    CLUB = "club", _("Crédit CLUB")
    CBM = "cbm", _("Crédit-bail mobilier (CBM)")
    LOCFI = "locfi", _("Location financière (LOCFI)")


class ContractStatus(models.TextChoices):
    ACTIVE = "active", _("En cours")
    CLOSED = "closed", _("Clos")


class PaymentFrequency(models.IntegerChoices):
    MONTHLY = 1, _("Mensuelle")
    QUARTERLY = 3, _("Trimestrielle")
    HALF_YEARLY = 6, _("Semestrielle")
    YEARLY = 12, _("Annuelle")


class Contract(models.Model):
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("entreprise")
    )
    kind = models.CharField(_("type"), max_length=10, choices=ContractKind.choices)
    reference = models.CharField(_("référence"), max_length=40, unique=True)
    amount = models.DecimalField(_("montant"), max_digits=14, decimal_places=2)
    start_date = models.DateField(_("date de début"))
    end_date = models.DateField(_("date de fin"))
    status = models.CharField(
        _("statut"), max_length=10, choices=ContractStatus.choices, default=ContractStatus.ACTIVE
    )
    # the terms the amortisation table is computed from
    annual_rate = models.DecimalField(
        _("taux annuel (%)"), max_digits=6, decimal_places=3, default=Decimal("0")
    )
    payment_frequency = models.PositiveSmallIntegerField(
        _("périodicité"), choices=PaymentFrequency.choices, default=PaymentFrequency.MONTHLY
    )
    residual_value = models.DecimalField(
        _("valeur résiduelle"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        help_text=_("Prix de l’option d’achat (CBM) ou valeur de fin de contrat (LOCFI)."),
    )
    drawn_amount = models.DecimalField(
        _("montant décaissé"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        help_text=_("Part du crédit déjà décaissée (crédits CLUB)."),
    )

    class Meta:
        verbose_name = _("contrat")
        verbose_name_plural = _("contrats")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ContractKind.values), name="contract_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ContractStatus.values), name="contract_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="contract_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="contract_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(annual_rate__gte=0, annual_rate__lt=100),
                name="contract_rate_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(payment_frequency__in=PaymentFrequency.values),
                name="contract_frequency_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(residual_value__gte=0, residual_value__lt=models.F("amount")),
                name="contract_residual_below_amount",
            ),
            models.CheckConstraint(
                condition=models.Q(drawn_amount__gte=0, drawn_amount__lte=models.F("amount")),
                name="contract_drawn_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_kind_display()})"

    @property
    def available_amount(self) -> Decimal:
        return self.amount - self.drawn_amount


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrateur")
    COLLABORATOR = "collaborator", _("Collaborateur")


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("Actif")
    SUSPENDED = "suspended", _("Suspendu")


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> "MembershipQuerySet":
        return self.filter(status=MembershipStatus.ACTIVE, user__is_active=True)


class Membership(models.Model):
    """A person's place in a company. Administrators are the company's legal representatives."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("utilisateur"),
    )
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("entreprise")
    )
    role = models.CharField(
        _("rôle"), max_length=20, choices=Role.choices, default=Role.COLLABORATOR
    )
    status = models.CharField(
        _("statut"),
        max_length=20,
        choices=MembershipStatus.choices,
        default=MembershipStatus.ACTIVE,
    )
    created_at = models.DateTimeField(_("membre depuis"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membre")
        verbose_name_plural = _("membres")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "company"], name="membership_user_company_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=MembershipStatus.values),
                name="membership_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.company}"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class RightsChangeStatus(models.TextChoices):
    AWAITING_SIGNATURE = "awaiting_signature", _("En attente de signature")
    APPLIED = "applied", _("Appliquée")
    CANCELLED = "cancelled", _("Annulée")
    SUPERSEDED = "superseded", _("Remplacée par une demande plus récente")


class RightsChangeOrigin(models.TextChoices):
    COMPANY = "company", _("Administrateur de l’entreprise")
    SUPPORT = "support", _("Support de la banque")


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
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("demandé par"),
    )
    rights = models.JSONField(_("nouveaux droits"), default=list)
    previous_rights = models.JSONField(_("droits précédents"), default=list)
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
    def awaits_signature(self) -> bool:
        return self.status == RightsChangeStatus.AWAITING_SIGNATURE

    @property
    def by_support(self) -> bool:
        return self.origin == RightsChangeOrigin.SUPPORT
