"""Who belongs where: companies, their contracts and their members.

The tables keep the names they had in `teams` (companies/migrations/0001_initial.py moved the
models in Django's state only), so an existing database needs no copy.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReviewPeriod(models.IntegerChoices):
    """How often the company's administrators review and sign who may do what (ISO 27001 A.5.18)."""

    YEARLY = 12, _("12 mois")
    HALF_YEARLY = 6, _("6 mois")


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
    access_review_months = models.PositiveSmallIntegerField(
        _("périodicité de la revue des accès"),
        choices=ReviewPeriod.choices,
        default=ReviewPeriod.YEARLY,
    )
    # kept by the access review's services, so that pages read them from the company's row
    access_review_signed_on = models.DateField(
        _("dernière revue des accès signée le"), null=True, blank=True
    )
    access_review_due_on = models.DateField(
        _("prochaine revue des accès due le"), null=True, blank=True
    )

    class Meta:
        db_table = "teams_company"
        verbose_name = _("entreprise")
        verbose_name_plural = _("entreprises")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(siren__regex=r"^[0-9]{9}$"), name="company_siren_nine_digits"
            ),
            models.CheckConstraint(
                condition=models.Q(access_review_months__in=ReviewPeriod.values),
                name="company_access_review_period_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def access_review_is_due(self) -> bool:
        """The periodic access review's date has come (Paris time): its banner shows."""
        due_on: datetime.date | None = self.access_review_due_on
        return due_on is not None and due_on <= timezone.localdate()


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
        db_table = "teams_contract"
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
        db_table = "teams_membership"
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
