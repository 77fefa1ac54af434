"""An account active again can use again every right that moves money it holds: a collaborator's
account holding one in an active membership is reactivated by one support agent's proposal and a
second agent's approval, as an administrator's is."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from accounts.models import User
from audit.models import Action, AuditEvent
from audit.sentences import sentence
from backoffice.kinds import ProposalRefused
from backoffice.models import Proposal, ProposalKind, ProposalStatus
from backoffice.services import proposal_approve
from companies.models import Company, Membership, MembershipStatus, Role
from core.models import Message
from permissions.catalogue import Right
from tests.backoffice.conftest import REASON
from tests.factories import CompanyFactory, GrantFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def deactivated_with(collaborator_with):
    """deactivated_with(Right.BANK_DETAILS, ...) -> a collaborator whose account is deactivated."""

    def make(*rights: Right, **membership_fields: object) -> Membership:
        member = collaborator_with(*rights, **membership_fields)
        User.objects.filter(pk=member.user_id).update(is_active=False)
        member.user.refresh_from_db()
        return member

    return make


def _user_form(user: User, **changes: object) -> dict[str, object]:
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "mobile": str(user.mobile),
        "is_active": "on",
        "reason": REASON,
    }
    return {**data, **changes}


def _reactivate(agent, member: Membership):
    return agent.post(
        reverse("admin:accounts_user_change", args=[member.user_id]), _user_form(member.user)
    )


def _approve(agent, proposal: Proposal):
    return agent.post(reverse("admin:backoffice_proposal_approve", args=[proposal.pk]))


def _is_active(member: Membership) -> bool:
    return User.objects.get(pk=member.user_id).is_active


def _alerts(company: Company):
    return Message.objects.filter(
        template__contains="money_rights", company_id=company.pk
    ).order_by("to")


def test_one_agent_alone_cannot_reactivate_the_account_of_a_collaborator_who_moves_money(
    agent_a, admin, deactivated_with
):
    member = deactivated_with(Right.DOCUMENTS, Right.BANK_DETAILS)

    response = _reactivate(agent_a, member)

    assert response.status_code == 302
    assert _is_active(member) is False
    proposal = Proposal.objects.get()
    assert (proposal.kind, proposal.subject_id, proposal.payload, proposal.reason) == (
        ProposalKind.ACCOUNT_REACTIVATION,
        str(member.user_id),
        {"is_active": True},
        REASON,
    )
    assert proposal.company_id == admin.company_id
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("second agent" in m for m in messages)
    assert not _alerts(admin.company).exists()


def test_the_proposer_cannot_approve_the_reactivation_through_the_page_nor_a_crafted_post(
    agent_a, admin, deactivated_with
):
    member = deactivated_with(Right.EARLY_BUYOUT)
    _reactivate(agent_a, member)
    proposal = Proposal.objects.get()

    page = agent_a.get(reverse("admin:backoffice_proposal_change", args=[proposal.pk]))
    crafted = _approve(agent_a, proposal)

    assert "Approuver et appliquer" not in page.content.decode()
    assert crafted.status_code == 302
    assert _is_active(member) is False
    assert Proposal.objects.get().status == ProposalStatus.PROPOSED
    with pytest.raises(ProposalRefused):
        proposal_approve(
            proposal_id=proposal.pk, approver=agent_a.user, ip_address=None, now=timezone.now()
        )
    assert not _alerts(admin.company).exists()


def test_a_second_agent_approves_once_and_each_administrator_of_each_company_is_alerted_once(
    agent_a, agent_b, admin, deactivated_with
):
    other_admin = MembershipFactory.create(company=admin.company, role=Role.ADMIN)
    member = deactivated_with(Right.BANK_DETAILS, Right.EARLY_BUYOUT)
    elsewhere = CompanyFactory.create()
    elsewhere_admin = MembershipFactory.create(company=elsewhere, role=Role.ADMIN)
    GrantFactory.create(
        membership=MembershipFactory.create(
            user=member.user, company=elsewhere, role=Role.COLLABORATOR
        ),
        right=Right.BANK_DETAILS,
    )
    _reactivate(agent_a, member)
    proposal = Proposal.objects.get()

    _approve(agent_b, proposal)
    _approve(agent_b, proposal)

    assert _is_active(member) is True
    assert Proposal.objects.get().status == ProposalStatus.APPROVED
    [event] = AuditEvent.objects.filter(action=Action.PROPOSAL_APPROVED)
    assert event.actor_id == agent_b.user.pk
    assert list(_alerts(admin.company).values_list("to", flat=True)) == sorted(
        [admin.user.email, other_admin.user.email]
    )
    assert list(_alerts(elsewhere).values_list("to", flat=True)) == [elsewhere_admin.user.email]
    # the rights the collaborator holds there, not every right of the company
    text = _alerts(admin.company).first().text.lower()
    assert "changement de rib" in text and "rachat anticipé" in text
    assert "gestion des fonds" not in text


def test_an_account_without_a_right_that_moves_money_is_reactivated_at_once(
    agent_a, admin, deactivated_with
):
    member = deactivated_with(Right.DOCUMENTS, Right.TREASURY)

    response = _reactivate(agent_a, member)

    assert response.status_code == 302
    assert _is_active(member) is True
    assert not Proposal.objects.exists()
    assert not _alerts(admin.company).exists()


def test_a_money_right_in_a_suspended_membership_or_ended_reactivates_the_account_at_once(
    agent_a, admin, deactivated_with
):
    member = deactivated_with(Right.BANK_DETAILS, status=MembershipStatus.SUSPENDED)
    ended = MembershipFactory.create(
        user=member.user, company=CompanyFactory.create(), role=Role.COLLABORATOR
    )
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    GrantFactory.create(membership=ended, right=Right.EARLY_BUYOUT, ends_on=yesterday)

    _reactivate(agent_a, member)

    assert _is_active(member) is True
    assert not Proposal.objects.exists()


def test_the_journal_says_support_proposed_to_reactivate_the_account_in_french_and_english(
    agent_a, admin, deactivated_with
):
    member = deactivated_with(Right.BANK_DETAILS)
    _reactivate(agent_a, member)

    [event] = AuditEvent.objects.filter(action=Action.PROPOSAL_MADE)

    with override("fr"):
        assert "de réactiver le compte de" in sentence(event)
        assert "engageant des fonds" in sentence(event)
    with override("en"):
        assert "to reactivate the account of" in sentence(event)
        assert "rights that move money" in sentence(event)
