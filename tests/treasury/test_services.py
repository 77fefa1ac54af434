"""The alert's rules, checked by the service: a direct call with a refused value writes nothing."""

from decimal import Decimal

import pytest

from audit.models import AuditEvent
from permissions.catalogue import Right
from treasury.models import LowBalanceAlert
from treasury.services import AlertRefused, low_balance_alert_set

pytestmark = pytest.mark.django_db


def alert_set(membership, today, threshold):
    return low_balance_alert_set(
        company=membership.company,
        actor=membership.user,
        threshold=threshold,
        enabled=True,
        today=today,
        ip_address=None,
    )


def assert_nothing_written(company):
    assert not LowBalanceAlert.objects.filter(company=company).exists()
    assert not AuditEvent.objects.filter(company=company).exists()


@pytest.mark.parametrize(
    ("threshold", "message"),
    [
        (Decimal("0"), "Le seuil doit être supérieur à zéro."),
        (Decimal("-100"), "Le seuil doit être supérieur à zéro."),
        (Decimal("12.345"), "Indiquez au plus deux chiffres après la virgule."),
        (Decimal("1000000000000"), "Ce montant est trop grand."),
    ],
)
def test_a_threshold_that_is_not_a_positive_amount_is_refused(
    treasurer, company, subscription, today, threshold, message
):
    with pytest.raises(AlertRefused) as refusal:
        alert_set(treasurer, today, threshold)

    assert (refusal.value.field, refusal.value.message) == ("threshold", message)
    assert_nothing_written(company)


def test_a_member_without_the_treasury_right_cannot_set_the_alert(
    collaborator_with, company, subscription, today
):
    documents_only = collaborator_with(Right.DOCUMENTS)

    with pytest.raises(AlertRefused):
        alert_set(documents_only, today, Decimal("1000"))

    assert_nothing_written(company)


def test_a_positive_threshold_is_set(treasurer, company, subscription, today):
    alert = alert_set(treasurer, today, Decimal("1000.50"))

    assert (alert.threshold, alert.recipient) == (Decimal("1000.50"), treasurer.user)
