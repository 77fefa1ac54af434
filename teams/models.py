from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Company(models.Model):
    name = models.CharField(_("raison sociale"), max_length=200)
    siren = models.CharField(_("SIREN"), max_length=9, unique=True)
    has_entreprise_subscription = models.BooleanField(_("abonnement Entreprise"), default=False)
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


class Contract(models.Model):
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="contracts")
    kind = models.CharField(_("type"), max_length=10, choices=ContractKind.choices)
    reference = models.CharField(_("référence"), max_length=40, unique=True)
    amount = models.DecimalField(_("montant"), max_digits=14, decimal_places=2)
    start_date = models.DateField(_("date de début"))
    end_date = models.DateField(_("date de fin"))
    status = models.CharField(
        _("statut"), max_length=10, choices=ContractStatus.choices, default=ContractStatus.ACTIVE
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
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_kind_display()})"


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
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
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
