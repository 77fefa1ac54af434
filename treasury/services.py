"""Every write of the treasury section: the export, the alert settings, the alert email."""

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import Action
from audit.services import audit_record
from companies.models import Company, Membership
from core import outbox
from core.csv import text_cell
from core.text import french_elide
from permissions.catalogue import Right
from permissions.checks import has_right
from treasury.forecast import Forecast
from treasury.models import LowBalanceAlert
from treasury.selectors import (
    active_subscription,
    alerts_due,
    bank_accounts,
    company_forecast,
    subscribed_accounts,
)


class SubscriptionInactive(Exception):
    """A subscriber-only feature asked for by a company whose subscription is not active."""

    def __init__(self) -> None:
        self.message = _(
            "Réservé aux abonnés : cette fonction du Suivi de trésorerie demande un abonnement "
            "actif. Votre conseiller peut vous y abonner."
        )
        super().__init__(self.message)


class AlertRefused(Exception):
    """An alert setting the service refuses, attached to the form's field when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# the largest threshold the alert's column holds (14 digits, 2 of them decimals)
THRESHOLD_MAX = Decimal("999999999999.99")


def threshold_refusal(threshold: Decimal) -> str | None:
    """Why this is not a threshold: not above zero, smaller than a cent, or too large."""
    if not threshold.is_finite() or threshold <= 0:
        return _("Le seuil doit être supérieur à zéro.")
    if threshold != threshold.quantize(Decimal("0.01")):
        return _("Indiquez au plus deux chiffres après la virgule.")
    if threshold > THRESHOLD_MAX:
        return _("Ce montant est trop grand.")
    return None


def _require_subscription(*, company: Company, today: datetime.date) -> None:
    if active_subscription(company=company, today=today) is None:
        raise SubscriptionInactive


def decimal_comma(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


def forecast_csv_rows(forecast: Forecast) -> Iterator[Sequence[object]]:
    """`;`-separated, decimal comma, dates as dd/mm/yyyy: what a French spreadsheet opens; one
    row at a time, formatted as it is sent."""
    yield [_("Date"), _("Libellé"), _("Catégorie"), _("Montant (EUR)"), _("Solde prévu (EUR)")]
    yield [
        f"{forecast.today:%d/%m/%Y}",
        _("Solde de départ"),
        "",
        "",
        decimal_comma(forecast.opening_balance),
    ]
    for line in forecast.lines:
        movement = line.movement
        yield [
            f"{movement.movement_date:%d/%m/%Y}",
            text_cell(movement.label),
            str(movement.category),
            decimal_comma(movement.amount),
            decimal_comma(line.balance),
        ]


@dataclass(frozen=True)
class ForecastExport:
    filename: str
    rows: Iterator[Sequence[object]]


def forecast_export(
    *, company: Company, actor: User, today: datetime.date, ip_address: str | None
) -> ForecastExport:
    """The forecast as CSV rows, for subscribers only; audited before a row is sent."""
    accounts = subscribed_accounts(company=company, today=today)
    if accounts is None:
        raise SubscriptionInactive
    forecast = company_forecast(company=company, accounts=accounts, today=today)
    audit_record(
        action=Action.TREASURY_EXPORTED,
        actor=actor,
        company=company,
        ip_address=ip_address,
        data={"from": today.isoformat(), "to": forecast.end.isoformat()},
    )
    return ForecastExport(
        filename=f"prevision-tresorerie-{company.siren}-{today:%Y-%m-%d}.csv",
        rows=forecast_csv_rows(forecast),
    )


@transaction.atomic
def low_balance_alert_set(
    *,
    company: Company,
    actor: User,
    threshold: Decimal,
    enabled: bool,
    today: datetime.date,
    ip_address: str | None,
) -> LowBalanceAlert:
    """Set the company's alert; the member who sets it receives it, so they must hold the
    treasury right. Subscribers only."""
    if refusal := threshold_refusal(threshold):
        raise AlertRefused(refusal, field="threshold")
    if not _may_read(user_id=actor.pk, company_id=company.pk):
        raise AlertRefused(_("Vous n’avez pas accès au Suivi de trésorerie de cette entreprise."))
    _require_subscription(company=company, today=today)
    # lock the company: two members setting its first alert at once must not both insert one
    Company.objects.select_for_update().filter(pk=company.pk).first()
    # lock: the daily task must not read a half-changed alert
    alert = LowBalanceAlert.objects.select_for_update().filter(company=company).first()
    if alert is None:
        alert = LowBalanceAlert(company=company)
    changed_threshold = alert.pk is None or alert.threshold != threshold
    alert.threshold = threshold
    alert.enabled = enabled
    alert.recipient = actor
    if changed_threshold or not enabled:
        # a new threshold is a new crossing: it may be told today even if the old one was
        alert.last_sent_for = None
    alert.save()
    audit_record(
        action=Action.TREASURY_ALERT_CHANGED,
        actor=actor,
        company=company,
        target=alert,
        ip_address=ip_address,
        data={"threshold": str(threshold), "enabled": enabled},
    )
    return alert


def _may_read(*, user_id: int, company_id: int) -> bool:
    """A member who left, was suspended or lost the right no longer receives treasury figures."""
    membership = (
        Membership.objects.active()
        .select_related("company")
        .prefetch_related("grants")
        .filter(user_id=user_id, company_id=company_id)
        .first()
    )
    return membership is not None and has_right(membership, Right.TREASURY)


LOW_BALANCE_EMAIL = "treasury/email/low_balance"


def treasury_url(company: Company) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("treasury:index", args=[company.pk])


def low_balance_alert_send(*, alert_id: int, today: datetime.date, now: datetime.datetime) -> bool:
    """Email the recipient (through the outbox) if the forecast goes under the threshold. Run
    twice, one email a day."""
    with transaction.atomic():
        # lock: two workers checking the same alert must send one email
        alert = (
            LowBalanceAlert.objects.select_for_update(of=("self",))
            .select_related("company", "recipient")
            .filter(pk=alert_id)
            .first()
        )
        if alert is None or not alert.enabled or alert.last_sent_for == today:
            return False
        company = alert.company
        if active_subscription(company=company, today=today) is None:
            return False
        if not _may_read(user_id=alert.recipient_id, company_id=alert.company_id):
            return False
        forecast = company_forecast(
            company=company, accounts=bank_accounts(company=company), today=today
        )
        below = forecast.first_day_below(alert.threshold)
        if below is None:
            return False
        # one row per telling: the same day again only after the alert was changed
        told = outbox.messages_about_count(about=alert, template=LOW_BALANCE_EMAIL)
        outbox.email_queue(
            key=f"treasury.lowbalancealert:{alert.pk}:{today.isoformat()}:{told + 1}",
            to=alert.recipient.email,
            subject=_("Alerte trésorerie : le solde prévu %(of_company)s passe sous votre seuil")
            % {"of_company": french_elide("de", company.name)},
            template=LOW_BALANCE_EMAIL,
            context={
                "company": company,
                "recipient": alert.recipient,
                "threshold": alert.threshold,
                "below": below,
                "lowest": forecast.lowest,
                "url": treasury_url(company),
            },
            about=alert,
            company_id=company.pk,
            now=now,
        )
        alert.last_sent_for = today
        alert.save(update_fields=["last_sent_for", "updated_at"])
        audit_record(
            action=Action.TREASURY_ALERT_SENT,
            company=company,
            target=alert,
            data={
                "threshold": str(alert.threshold),
                "below_on": below.day.isoformat(),
                "balance": str(below.balance),
            },
        )
        return True


def low_balance_alerts_check(*, today: datetime.date, now: datetime.datetime) -> int:
    """Daily: each alert that may need telling is checked in its own short transaction; how
    many emails were written."""
    return sum(
        low_balance_alert_send(alert_id=alert_id, today=today, now=now)
        for alert_id in alerts_due(today=today)
    )
