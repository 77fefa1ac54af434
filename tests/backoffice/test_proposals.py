import datetime
import threading

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import Action, AuditEvent
from backoffice.kinds import ProposalRefused
from backoffice.models import Proposal, ProposalKind, ProposalStatus
from backoffice.services import proposal_approve, proposal_make, proposal_refuse
from core.models import Message
from permissions.catalogue import Right
from tests.backoffice.conftest import REASON
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_MOBILE = "+33698765432"


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


def _propose_mobile(agent, user):
    return agent.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        _user_form(user, mobile=NEW_MOBILE),
    )


def _approve(agent, proposal):
    return agent.post(reverse("admin:backoffice_proposal_approve", args=[proposal.pk]))


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _mobile_of(user: User) -> str:
    return str(User.objects.get(pk=user.pk).mobile)


def test_an_administrators_new_mobile_is_only_proposed(agent_a, admin):
    response = _propose_mobile(agent_a, admin.user)

    assert response.status_code == 302
    assert _mobile_of(admin.user) == "+33612345642"
    proposal = Proposal.objects.get()
    assert (proposal.kind, proposal.status) == (ProposalKind.MOBILE_CHANGE, ProposalStatus.PROPOSED)
    assert proposal.payload == {"mobile": NEW_MOBILE}
    assert proposal.reason == REASON
    assert proposal.expires_at - proposal.created_at == datetime.timedelta(hours=24)
    assert AuditEvent.objects.filter(action=Action.PROPOSAL_MADE).count() == 1


def test_a_collaborators_new_mobile_applies_at_once_with_its_reason(agent_a, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS)

    _propose_mobile(agent_a, member.user)

    assert _mobile_of(member.user) == NEW_MOBILE
    assert not Proposal.objects.exists()
    event = AuditEvent.objects.get(action=Action.SUPPORT_MOBILE_CHANGED)
    assert event.data["reason"] == REASON


def test_a_change_without_a_reason_is_refused_and_changes_nothing(agent_a, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS)

    response = agent_a.post(
        reverse("admin:accounts_user_change", args=[member.user.pk]),
        _user_form(member.user, mobile=NEW_MOBILE, reason="ok"),
    )

    assert response.status_code == 200
    assert "au moins 3 mots" in response.content.decode()
    assert _mobile_of(member.user) != NEW_MOBILE


def test_the_proposer_cannot_approve_through_the_page_nor_a_crafted_post(agent_a, admin):
    _propose_mobile(agent_a, admin.user)
    proposal = Proposal.objects.get()

    page = agent_a.get(reverse("admin:backoffice_proposal_change", args=[proposal.pk]))
    crafted = _approve(agent_a, proposal)

    assert "Approuver et appliquer" not in page.content.decode()
    assert any("un autre agent" in m for m in _messages(crafted))
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED
    assert _mobile_of(admin.user) == "+33612345642"


def test_the_service_refuses_the_proposer_whatever_the_caller(agent_a, admin):
    _propose_mobile(agent_a, admin.user)
    proposal = Proposal.objects.get()

    with pytest.raises(ProposalRefused):
        proposal_approve(
            proposal_id=proposal.pk, approver=agent_a.user, ip_address=None, now=timezone.now()
        )

    assert _mobile_of(admin.user) == "+33612345642"


def test_the_database_refuses_a_proposal_decided_by_its_proposer(agent_a, admin):
    _propose_mobile(agent_a, admin.user)

    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.update(decided_by=agent_a.user)


def test_a_second_agent_approves_and_the_change_applies_once(agent_a, agent_b, admin):
    _propose_mobile(agent_a, admin.user)
    proposal = Proposal.objects.get()

    page = agent_b.get(reverse("admin:backoffice_proposal_change", args=[proposal.pk]))
    first = _approve(agent_b, proposal)
    again = _approve(agent_b, proposal)

    assert NEW_MOBILE in page.content.decode()  # exactly what will change, shown to the approver
    assert any("appliqué" in m for m in _messages(first))
    assert any("déjà été traitée" in m for m in _messages(again))
    assert _mobile_of(admin.user) == NEW_MOBILE
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == (ProposalStatus.APPROVED, agent_b.user)
    [event] = AuditEvent.objects.filter(action=Action.SUPPORT_MOBILE_CHANGED)
    assert (event.actor, event.data["reason"]) == (agent_b.user, REASON)


def test_an_expired_proposal_changes_nothing(agent_a, agent_b, admin):
    _propose_mobile(agent_a, admin.user)
    proposal = Proposal.objects.get()

    decided = proposal_approve(
        proposal_id=proposal.pk,
        approver=agent_b.user,
        ip_address=None,
        now=proposal.expires_at + datetime.timedelta(seconds=1),
    )

    assert decided.status == ProposalStatus.EXPIRED
    assert _mobile_of(admin.user) == "+33612345642"


def test_a_refused_proposal_changes_nothing_and_keeps_the_reason(agent_a, agent_b, admin):
    _propose_mobile(agent_a, admin.user)
    proposal = Proposal.objects.get()
    url = reverse("admin:backoffice_proposal_refuse", args=[proposal.pk])

    without = agent_b.post(url, {"refusal_reason": "non"})
    refused = agent_b.post(url, {"refusal_reason": "numéro non confirmé par le client"})

    assert any("au moins 3 mots" in m for m in _messages(without))
    assert any("refusée" in m for m in _messages(refused))
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REFUSED
    assert proposal.refusal_reason == "numéro non confirmé par le client"
    assert _mobile_of(admin.user) == "+33612345642"
    assert AuditEvent.objects.filter(action=Action.PROPOSAL_REFUSED).count() == 1


def test_a_proposal_needs_a_reason(agent_a, admin):
    with pytest.raises(ProposalRefused):
        proposal_make(
            kind=ProposalKind.MOBILE_CHANGE,
            subject=admin.user,
            company=admin.company,
            payload={"mobile": NEW_MOBILE},
            proposer=agent_a.user,
            reason="  ",
            ip_address=None,
            now=timezone.now(),
        )

    assert not Proposal.objects.exists()


def test_the_pending_list_shows_what_awaits_approval(agent_a, agent_b, admin):
    _propose_mobile(agent_a, admin.user)

    response = agent_b.get(reverse("admin:backoffice_proposal_changelist"), {"a_traiter": "oui"})

    assert response.status_code == 200
    assert "Claire Durand" in response.content.decode()


def test_unlocking_a_signature_is_proposed_then_approved(agent_a, agent_b, admin):
    User.objects.filter(pk=admin.user.pk).update(
        signing_locked_at=timezone.now(), consecutive_wrong_codes=20
    )
    changelist = reverse("admin:accounts_user_changelist")
    action = {"action": "propose_unlock", "_selected_action": [admin.user.pk]}

    asked = agent_a.post(changelist, action)
    agent_a.post(changelist, {**action, "apply": "1", "reason": REASON})
    locked_meanwhile = User.objects.get(pk=admin.user.pk).signing_locked_at
    _approve(agent_b, Proposal.objects.get(kind=ProposalKind.SIGNING_UNLOCK))

    assert "Motif" in asked.content.decode()
    assert locked_meanwhile is not None
    assert User.objects.get(pk=admin.user.pk).signing_locked_at is None


@pytest.mark.parametrize(
    "money_right", [Right.FUND_OPERATIONS, Right.BANK_DETAILS, Right.EARLY_BUYOUT], ids=str
)
def test_a_money_right_is_proposed_and_its_approval_alerts_every_administrator(
    agent_a, agent_b, admin, collaborator_with, money_right
):
    other_admin = MembershipFactory.create(company=admin.company, role="admin")
    member = collaborator_with(Right.DOCUMENTS)
    url = reverse("admin:companies_membership_change", args=[member.pk])
    form = {
        "user": member.user_id,
        "company": member.company_id,
        "role": member.role,
        "status": member.status,
        "rights": ["documents", money_right.value],
        "reason": REASON,
    }

    agent_a.post(url, form)
    held_meanwhile = sorted(member.grants.values_list("right", flat=True))
    _approve(agent_b, Proposal.objects.get(kind=ProposalKind.MONEY_RIGHTS))

    assert held_meanwhile == ["documents"]
    assert sorted(member.grants.values_list("right", flat=True)) == sorted(
        ["documents", money_right.value]
    )
    alerted = Message.objects.filter(template__contains="money_rights", company_id=admin.company_id)
    assert sorted(alerted.values_list("to", flat=True)) == sorted(
        [admin.user.email, other_admin.user.email]
    )


@pytest.mark.django_db(transaction=True)
def test_two_agents_approving_at_the_same_time_apply_once(admin):
    proposer = UserFactory(is_staff=True)
    approvers = [UserFactory(is_staff=True), UserFactory(is_staff=True)]
    proposal = proposal_make(
        kind=ProposalKind.MOBILE_CHANGE,
        subject=admin.user,
        company=admin.company,
        payload={"mobile": NEW_MOBILE},
        proposer=proposer,
        reason=REASON,
        ip_address=None,
        now=timezone.now(),
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(approver: User) -> None:
        barrier.wait()
        try:
            proposal_approve(
                proposal_id=proposal.pk, approver=approver, ip_address=None, now=timezone.now()
            )
            outcomes.append("approved")
        except ProposalRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(a,)) for a in approvers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["approved", "refused"]
    assert AuditEvent.objects.filter(action=Action.SUPPORT_MOBILE_CHANGED).count() == 1


def test_refusing_needs_another_agent_too(agent_a, admin):
    _propose_mobile(agent_a, admin.user)

    with pytest.raises(ProposalRefused):
        proposal_refuse(
            proposal_id=Proposal.objects.get().pk,
            decider=agent_a.user,
            refusal_reason="je retire ma proposition finalement",
            ip_address=None,
            now=timezone.now(),
        )
