import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from companies.models import Contract, ContractKind
from documents.amortisation import schedule
from permissions.catalogue import Right
from tests.factories import ContractFactory
from tests.treasury.factories import (
    BankAccountFactory,
    CashFlowFactory,
    LowBalanceAlertFactory,
    TreasurySubscriptionFactory,
)
from treasury.forecast import HORIZON_DAYS
from treasury.models import FlowCategory, LowBalanceAlert

pytestmark = pytest.mark.django_db


def index_url(company):
    return reverse("treasury:index", args=[company.pk])


def export_url(company):
    return reverse("treasury:export", args=[company.pk])


def alert_url(company):
    return reverse("treasury:alert", args=[company.pk])


# access


def test_shows_the_page_to_a_member_holding_the_right(treasurer_client, company, today):
    response = treasurer_client.get(index_url(company))

    assert response.status_code == 200
    assert "<h1>Suivi de trésorerie</h1>" in response.text


def test_shows_the_page_to_an_administrator(admin_client, company, today):
    assert admin_client.get(index_url(company)).status_code == 200


def test_refuses_a_member_without_the_right_naming_it(client_for, collaborator_with, company):
    member = collaborator_with(Right.DOCUMENTS)

    response = client_for(member.user).get(index_url(company))

    assert response.status_code == 403
    assert "Accéder au service Suivi de trésorerie" in response.text


@pytest.mark.parametrize("url", [index_url, export_url, alert_url])
def test_hides_every_page_from_another_companys_administrator(
    url, client_for, other_admin, company, subscription
):
    assert client_for(other_admin.user).get(url(company)).status_code == 404


# balances, forecast, chart


def test_shows_each_account_and_the_total(treasurer_client, company, today):
    BankAccountFactory.create(
        company=company, label="Compte principal", number_end="4821", balance=Decimal("1234.50")
    )
    BankAccountFactory.create(company=company, label="Compte paie", balance=Decimal("100000"))

    response = treasurer_client.get(index_url(company))

    assert "Compte principal" in response.text
    assert "•••• 4821" in response.text
    assert "1\xa0234,50 €" in response.text
    assert "101\xa0234,50 €" in response.text


def test_hides_another_companys_accounts_and_flows(treasurer_client, company, other_company, today):
    BankAccountFactory.create(company=other_company, label="Compte voisin")
    CashFlowFactory.create(company=other_company, label="Flux voisin", flow_date=today)

    response = treasurer_client.get(index_url(company))

    assert "Compte voisin" not in response.text
    assert "Flux voisin" not in response.text


def test_draws_an_accessible_chart_with_the_same_data_as_a_table(
    treasurer_client, no_contracts, today
):
    BankAccountFactory.create(company=no_contracts, balance=Decimal("20000"))
    CashFlowFactory.create(
        company=no_contracts,
        flow_date=today + datetime.timedelta(days=8),
        label="Salaires",
        amount=Decimal("-12000"),
        category=FlowCategory.PAYROLL,
    )

    response = treasurer_client.get(index_url(no_contracts))

    svg = re.search(r"<svg[^>]*role=\"img\".*?</svg>", response.text, re.S)
    assert svg is not None
    assert 'role="img"' in svg.group()
    assert '<title id="chart-title">' in svg.group()
    assert '<desc id="chart-desc">' in svg.group()
    assert "8\xa0000,00 €" in svg.group()  # the lowest point, told in the description
    assert "<caption>Prévision semaine par semaine</caption>" in response.text
    assert "Salaires" in response.text


def test_uses_no_inline_style_or_script(treasurer_client, admin, company, subscription):
    LowBalanceAlertFactory.create(company=company, recipient=admin.user)
    BankAccountFactory.create(company=company)

    response = treasurer_client.get(index_url(company))

    assert "style=" not in response.text
    assert "<script>" not in response.text


def test_counts_the_instalments_of_the_companys_running_contracts(
    treasurer_client, no_contracts, today
):
    contract = ContractFactory.create(
        company=no_contracts,
        kind=ContractKind.LOAN,
        reference="PRT-2025-0001",
        amount=Decimal("120000"),
        annual_rate=Decimal("4.2"),
        start_date=datetime.date(2025, 1, 20),
        end_date=datetime.date(2030, 1, 20),
    )
    due = [i for i in schedule(contract) if today <= i.due_date <= today + datetime.timedelta(90)]

    response = treasurer_client.get(index_url(no_contracts))

    assert len(due) == 3
    assert "Échéance n° 15 du contrat PRT-2025-0001" in response.text
    lines = response.context["overview"].forecast.lines
    assert [line.movement.amount for line in lines] == [-i.payment for i in due]


def test_leaves_out_closed_contracts(treasurer_client, no_contracts, today):
    ContractFactory.create(
        company=no_contracts, reference="PRT-CLOS", status="closed", amount=Decimal("50000")
    )

    response = treasurer_client.get(index_url(no_contracts))

    assert "PRT-CLOS" not in response.text


def test_reads_a_bounded_number_of_queries(
    treasurer_client, company, subscription, admin, today, django_assert_max_num_queries
):
    Contract.objects.filter(company=company).update(drawn_amount=Decimal("100000"))
    for n in range(5):
        BankAccountFactory.create(company=company)
        CashFlowFactory.create(company=company, flow_date=today + datetime.timedelta(days=n))
    LowBalanceAlertFactory.create(company=company, recipient=admin.user)

    with django_assert_max_num_queries(10):
        response = treasurer_client.get(index_url(company))

    assert response.status_code == 200


# subscriber-only features


def test_describes_the_subscriber_features_without_a_subscription(treasurer_client, company, today):
    response = treasurer_client.get(index_url(company))

    assert "Réservé aux abonnés" in response.text
    assert "contactez votre conseiller" in response.text
    assert export_url(company) not in response.text
    assert alert_url(company) not in response.text


def test_describes_them_again_once_the_subscription_has_ended(treasurer_client, company, today):
    TreasurySubscriptionFactory.create(
        company=company, active_until=today - datetime.timedelta(days=1)
    )

    response = treasurer_client.get(index_url(company))

    assert "Réservé aux abonnés" in response.text
    assert export_url(company) not in response.text


def test_offers_the_export_and_the_alert_to_a_subscriber(treasurer_client, company, subscription):
    response = treasurer_client.get(index_url(company))

    assert export_url(company) in response.text
    assert alert_url(company) in response.text
    assert "Réservé aux abonnés" not in response.text


def test_counts_the_last_day_of_the_subscription_as_active(treasurer_client, company, today):
    TreasurySubscriptionFactory.create(company=company, active_until=today)

    assert export_url(company) in treasurer_client.get(index_url(company)).text


@pytest.mark.parametrize("method", ["get", "post"])
def test_refuses_the_alert_without_a_subscription(method, treasurer_client, company, today):
    response = getattr(treasurer_client, method)(
        alert_url(company), {"threshold": "1000", "enabled": "on"}
    )

    assert response.status_code == 403
    assert "Réservé aux abonnés" in response.text
    assert not LowBalanceAlert.objects.filter(company=company).exists()


def test_refuses_the_export_without_a_subscription(treasurer_client, company, today):
    response = treasurer_client.get(export_url(company))

    assert response.status_code == 403
    assert "Réservé aux abonnés" in response.text
    assert not AuditEvent.objects.filter(company=company, action=Action.TREASURY_EXPORTED).exists()


# export


def test_exports_the_forecast_as_a_french_csv(treasurer_client, treasurer, no_contracts, today):
    TreasurySubscriptionFactory.create(company=no_contracts, active_until=today)
    BankAccountFactory.create(company=no_contracts, balance=Decimal("1500.25"))
    CashFlowFactory.create(
        company=no_contracts,
        flow_date=today + datetime.timedelta(days=3),
        label="=Fournisseur",
        amount=Decimal("-2000.50"),
        category=FlowCategory.DISBURSEMENT,
    )

    response = treasurer_client.get(export_url(no_contracts))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        f"prevision-tresorerie-{no_contracts.siren}-2026-03-02.csv"
        in response["Content-Disposition"]
    )
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    assert content[1:].splitlines() == [
        "Date;Libellé;Catégorie;Montant (EUR);Solde prévu (EUR)",
        "02/03/2026;Solde de départ;;;1500,25",
        "05/03/2026;'=Fournisseur;Décaissement;-2000,50;-500,25",
    ]


def test_the_export_streams_every_movement_of_the_forecast_and_no_other_companys(
    treasurer_client, no_contracts, other_company, today
):
    TreasurySubscriptionFactory.create(company=no_contracts, active_until=today)
    BankAccountFactory.create(company=no_contracts, balance=Decimal("100000.00"))
    for day in range(60):
        CashFlowFactory.create(
            company=no_contracts,
            flow_date=today + datetime.timedelta(days=day),
            label=f"Client {day}",
            amount=Decimal("10.00"),
            category=FlowCategory.RECEIPT,
        )
    CashFlowFactory.create(
        company=other_company,
        flow_date=today,
        label="Voisin",
        amount=Decimal("5.00"),
        category=FlowCategory.RECEIPT,
    )
    CashFlowFactory.create(
        company=no_contracts,
        flow_date=today + datetime.timedelta(days=HORIZON_DAYS + 1),
        label="Trop tard",
        amount=Decimal("5.00"),
        category=FlowCategory.RECEIPT,
    )

    response = treasurer_client.get(export_url(no_contracts))

    assert response.streaming
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 2 + 60
    assert lines[-1].endswith(";10,00;100600,00")
    assert not any("Voisin" in line or "Trop tard" in line for line in lines)


def test_records_who_exported_the_forecast(treasurer_client, treasurer, company, subscription):
    treasurer_client.get(export_url(company))

    event = AuditEvent.objects.get(company=company, action=Action.TREASURY_EXPORTED)
    assert event.actor == treasurer.user


# alert settings


@pytest.mark.parametrize(
    ("threshold", "error"),
    [
        ("0", "Le seuil doit être supérieur à zéro."),
        ("-100", "Le seuil doit être supérieur à zéro."),
        ("", "Indiquez un seuil."),
        ("mille", "Indiquez un montant en euros"),
        ("12,345", "Indiquez au plus deux chiffres après la virgule."),
    ],
)
def test_refuses_a_threshold_that_is_not_a_positive_amount(
    threshold, error, treasurer_client, company, subscription
):
    response = treasurer_client.post(alert_url(company), {"threshold": threshold, "enabled": "on"})

    assert response.status_code == 200
    assert error in response.text
    assert not LowBalanceAlert.objects.filter(company=company).exists()


def test_sets_the_alert_for_the_member_who_asked(
    treasurer_client, treasurer, company, subscription
):
    response = treasurer_client.post(
        alert_url(company), {"threshold": "15 000,50", "enabled": "on"}, follow=True
    )

    alert = LowBalanceAlert.objects.get(company=company)
    assert (alert.threshold, alert.enabled, alert.recipient) == (
        Decimal("15000.50"),
        True,
        treasurer.user,
    )
    assert "L’alerte de solde bas est enregistrée et activée." in response.text
    assert AuditEvent.objects.filter(
        company=company, action=Action.TREASURY_ALERT_CHANGED, actor=treasurer.user
    ).exists()


def test_disables_the_alert(treasurer_client, treasurer, company, subscription):
    LowBalanceAlertFactory.create(company=company, recipient=treasurer.user)

    treasurer_client.post(alert_url(company), {"threshold": "5000"})

    assert LowBalanceAlert.objects.get(company=company).enabled is False


def test_shows_the_current_alert_in_the_form(treasurer_client, treasurer, company, subscription):
    LowBalanceAlertFactory.create(
        company=company, recipient=treasurer.user, threshold=Decimal("7500")
    )

    response = treasurer_client.get(alert_url(company))

    assert response.status_code == 200
    assert 'value="7500.00"' in response.text


def test_draws_the_threshold_on_the_chart_when_an_alert_is_set(
    treasurer_client, treasurer, company, subscription
):
    LowBalanceAlertFactory.create(company=company, recipient=treasurer.user)

    response = treasurer_client.get(index_url(company))

    assert 'class="treasury-threshold"' in response.text
