"""The company's treasury as the bank knows it: accounts, scheduled flows, subscription, alert."""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from companies.models import Company


class BankAccount(models.Model):
    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        related_name="bank_accounts",
        verbose_name=_("entreprise"),
    )
    label = models.CharField(_("libellé"), max_length=100)
    # never the whole number: the end is enough to recognise the account
    number_end = models.CharField(
        _("fin du numéro de compte"),
        max_length=4,
        help_text=_("Les 4 derniers caractères du numéro de compte ou de l’IBAN."),
    )
    balance = models.DecimalField(_("solde"), max_digits=14, decimal_places=2)
    balance_date = models.DateField(_("solde au"))

    class Meta:
        verbose_name = _("compte bancaire")
        verbose_name_plural = _("comptes bancaires")
        constraints = [
            models.UniqueConstraint(fields=["company", "label"], name="bank_account_label_unique"),
            models.CheckConstraint(
                condition=models.Q(number_end__regex=r"^[0-9A-Z]{4}$"),
                name="bank_account_number_end_four_chars",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ••••{self.number_end}"

    @property
    def masked_number(self) -> str:
        return f"•••• {self.number_end}"


class FlowCategory(models.TextChoices):
    RECEIPT = "receipt", _("Encaissement")
    DISBURSEMENT = "disbursement", _("Décaissement")
    LOAN_INSTALMENT = "loan_instalment", _("Échéance de crédit")
    PAYROLL = "payroll", _("Salaires et charges sociales")
    TAX = "tax", _("Impôts et taxes")


class CashFlow(models.Model):
    """A flow the bank already knows about: signed, a receipt is positive, any other negative."""

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="cash_flows", verbose_name=_("entreprise")
    )
    flow_date = models.DateField(_("date"))
    label = models.CharField(_("libellé"), max_length=140)
    amount = models.DecimalField(
        _("montant"),
        help_text=_("Positif pour un encaissement, négatif pour une sortie."),
        max_digits=14,
        decimal_places=2,
    )
    category = models.CharField(_("catégorie"), max_length=20, choices=FlowCategory.choices)

    class Meta:
        verbose_name = _("flux prévu")
        verbose_name_plural = _("flux prévus")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(category__in=FlowCategory.values),
                name="cash_flow_category_valid",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(category=FlowCategory.RECEIPT, amount__gt=0)
                    | (~models.Q(category=FlowCategory.RECEIPT) & models.Q(amount__lt=0))
                ),
                name="cash_flow_sign_matches_category",
            ),
        ]
        indexes = [models.Index(fields=["company", "flow_date"])]

    def __str__(self) -> str:
        return f"{self.flow_date:%d/%m/%Y} {self.label} {self.amount}"


class TreasurySubscription(models.Model):
    company = models.OneToOneField(
        Company,
        on_delete=models.CASCADE,
        related_name="treasury_subscription",
        verbose_name=_("entreprise"),
    )
    active_until = models.DateField(_("actif jusqu’au"))
    created_at = models.DateTimeField(_("souscrit le"), auto_now_add=True)

    class Meta:
        verbose_name = _("abonnement Suivi de trésorerie")
        verbose_name_plural = _("abonnements Suivi de trésorerie")

    def __str__(self) -> str:
        return f"{self.company} ({self.active_until:%d/%m/%Y})"

    def is_active_on(self, today: datetime.date) -> bool:
        return today <= self.active_until


class LowBalanceAlert(models.Model):
    """Email the member who set it when the forecast goes under the threshold; once a day."""

    company = models.OneToOneField(
        Company,
        on_delete=models.CASCADE,
        related_name="treasury_alert",
        verbose_name=_("entreprise"),
    )
    threshold = models.DecimalField(_("seuil"), max_digits=14, decimal_places=2)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("destinataire"),
    )
    enabled = models.BooleanField(_("activée"), default=True)
    last_sent_for = models.DateField(_("dernier envoi pour le"), null=True, blank=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("alerte de solde bas")
        verbose_name_plural = _("alertes de solde bas")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(threshold__gt=0), name="low_balance_alert_threshold_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} < {self.threshold}"
