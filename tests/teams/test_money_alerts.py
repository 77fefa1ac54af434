"""Every path that grants a right moving money alerts each active administrator once: an invitation
accepted (one, or one of a batch), a signed rights change, a support approval (tests/backoffice)."""

import pytest

from companies.models import Role
from core.models import Message
from invitations import services
from permissions.catalogue import CATALOGUE, Right
from tests.factories import MembershipFactory, UserFactory
from tests.invitations.batches import create_batch, request_batch_code, sign_batch
from tests.invitations.factories import IP, dispatch, sent
from tests.otp.factories import NOW
from tests.teams.factories import request_change, request_code, sign

pytestmark = pytest.mark.django_db

MONEY_RIGHTS = [right for right, spec in CATALOGUE.items() if spec.moves_money]
each_money_right = pytest.mark.parametrize("money_right", MONEY_RIGHTS, ids=str)


@pytest.fixture
def two_admins(admin):
    second = MembershipFactory.create(company=admin.company, role=Role.ADMIN)
    return sorted([admin.user.email, second.user.email])


def alerts(company):
    return Message.objects.filter(template__contains="money_rights", company_id=company.pk)


def accept(invitation, token):
    user = UserFactory(email=invitation.email)
    return services.invitation_accept(token=token, user=user, ip_address=IP, now=NOW)


def test_the_rights_that_move_money_are_the_fund_operations_the_rib_and_the_early_buyout():
    assert MONEY_RIGHTS == [Right.FUND_OPERATIONS, Right.BANK_DETAILS, Right.EARLY_BUYOUT]


@each_money_right
def test_a_single_invitation_accepted_with_a_money_right_alerts_each_administrator(
    admin, two_admins, money_right
):
    invitation, token = sent(admin, rights=(Right.DOCUMENTS, money_right))

    before = alerts(admin.company).count()
    accept(invitation, token)

    assert before == 0
    assert sorted(alerts(admin.company).values_list("to", flat=True)) == two_admins


@each_money_right
def test_a_batch_invitation_accepted_with_a_money_right_alerts_each_administrator(
    admin, two_admins, money_right
):
    batch = create_batch(admin, "ana@partenaire.example", rights=(Right.DOCUMENTS, money_right))
    request_batch_code(batch, admin)
    sign_batch(batch, admin)
    [invitation] = batch.invitations.all()
    token = dispatch(invitation)

    accept(invitation, token)

    assert sorted(alerts(admin.company).values_list("to", flat=True)) == two_admins


def test_an_invitation_without_a_money_right_alerts_nobody(admin, two_admins):
    invitation, token = sent(admin, rights=(Right.DOCUMENTS,))

    accept(invitation, token)

    assert not alerts(admin.company).exists()


@each_money_right
def test_a_signed_rights_change_with_a_money_right_alerts_each_administrator(
    admin, two_admins, collaborator_with, money_right
):
    change = request_change(admin, collaborator_with(), money_right)
    request_code(admin, change)
    sign(admin, change)

    assert sorted(alerts(admin.company).values_list("to", flat=True)) == two_admins
