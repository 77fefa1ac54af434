"""Unlocking a person's login and resetting their second factors are proposed by one support
agent and applied only when a second, different agent approves."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import Action, AuditEvent
from audit.sentences import sentence
from backoffice.models import Proposal, ProposalKind, ProposalStatus
from tests.backoffice.conftest import REASON
from tests.factories import UserFactory
from tests.login import log_in
from tests.outbox import emails_to

pytestmark = pytest.mark.django_db


def _locked_user() -> User:
    return UserFactory.create(login_locked_at=timezone.now(), consecutive_login_failures=20)


def _propose(agent, user, action):
    return agent.post(
        reverse("admin:accounts_user_second_factors", args=[user.pk]),
        {"action": action, "reason": REASON},
    )


def _approve(agent, proposal):
    return agent.post(reverse("admin:backoffice_proposal_approve", args=[proposal.pk]))


def _refuse(agent, proposal):
    return agent.post(
        reverse("admin:backoffice_proposal_refuse", args=[proposal.pk]),
        {"refusal_reason": "identité non vérifiée au téléphone"},
    )


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_unlocking_a_login_is_only_proposed(agent_a):
    user = _locked_user()

    response = _propose(agent_a, user, "unlock")

    assert response.status_code == 302
    assert any("second agent" in m for m in _messages(response))
    proposal = Proposal.objects.get()
    assert (proposal.kind, proposal.status) == (ProposalKind.LOGIN_UNLOCK, ProposalStatus.PROPOSED)
    assert User.objects.get(pk=user.pk).login_locked_at is not None
    assert not AuditEvent.objects.filter(action=Action.LOGIN_UNLOCKED).exists()
    assert emails_to(user.email) == []


def test_the_proposer_cannot_approve_a_login_unlock(agent_a):
    user = _locked_user()
    _propose(agent_a, user, "unlock")
    proposal = Proposal.objects.get()

    response = _approve(agent_a, proposal)

    assert any("un autre agent" in m for m in _messages(response))
    assert Proposal.objects.get().status == ProposalStatus.PROPOSED
    assert User.objects.get(pk=user.pk).login_locked_at is not None
    assert emails_to(user.email) == []


def test_a_second_agent_approves_a_login_unlock_and_it_applies_once(agent_a, agent_b):
    user = _locked_user()
    _propose(agent_a, user, "unlock")
    proposal = Proposal.objects.get()

    _approve(agent_b, proposal)
    again = _approve(agent_b, proposal)

    assert any("déjà été traitée" in m for m in _messages(again))
    user.refresh_from_db()
    assert user.login_locked_at is None
    assert user.consecutive_login_failures == 0
    event = AuditEvent.objects.get(action=Action.LOGIN_UNLOCKED)
    assert (event.actor_id, event.data["reason"]) == (agent_b.user.pk, REASON)
    assert AuditEvent.objects.filter(action=Action.PROPOSAL_APPROVED).count() == 1
    [email] = emails_to(user.email)
    assert "débloquée" in email.subject
    assert log_in(Client(), user.email).url == reverse("portal:company_picker")


def test_a_login_that_is_not_locked_cannot_be_proposed_for_unlocking(agent_a):
    user = UserFactory.create()

    response = _propose(agent_a, user, "unlock")

    assert any("n’est pas bloquée" in m for m in _messages(response))
    assert not Proposal.objects.exists()


def test_a_refused_login_unlock_changes_nothing(agent_a, agent_b):
    user = _locked_user()
    _propose(agent_a, user, "unlock")
    proposal = Proposal.objects.get()

    _refuse(agent_b, proposal)

    assert Proposal.objects.get().status == ProposalStatus.REFUSED
    assert User.objects.get(pk=user.pk).login_locked_at is not None
    assert not AuditEvent.objects.filter(action=Action.LOGIN_UNLOCKED).exists()
    assert emails_to(user.email) == []


def test_the_proposer_cannot_approve_a_second_factors_reset(agent_a):
    user = UserFactory.create(mobile_confirmed_at=timezone.now())
    _propose(agent_a, user, "reset")
    proposal = Proposal.objects.get()
    assert proposal.kind == ProposalKind.SECOND_FACTORS_RESET

    response = _approve(agent_a, proposal)

    assert any("un autre agent" in m for m in _messages(response))
    assert User.objects.get(pk=user.pk).mobile_confirmed_at is not None
    assert not AuditEvent.objects.filter(action=Action.SECOND_FACTORS_RESET).exists()


def test_a_second_agent_approves_a_second_factors_reset_and_it_applies_once(agent_a, agent_b):
    user = UserFactory.create(mobile_confirmed_at=timezone.now())
    elsewhere = Client()
    log_in(elsewhere, user.email)
    assert elsewhere.get(reverse("accounts:account")).status_code == 200
    _propose(agent_a, user, "reset")
    assert User.objects.get(pk=user.pk).mobile_confirmed_at is not None
    proposal = Proposal.objects.get()

    page = agent_b.get(reverse("admin:backoffice_proposal_change", args=[proposal.pk]))
    _approve(agent_b, proposal)
    _approve(agent_b, proposal)

    assert page.status_code == 200
    assert "toutes fermées" in page.text
    assert User.objects.get(pk=user.pk).mobile_confirmed_at is None
    assert elsewhere.get(reverse("accounts:account")).status_code == 302
    event = AuditEvent.objects.get(action=Action.SECOND_FACTORS_RESET)
    assert (event.actor_id, event.data["reason"]) == (agent_b.user.pk, REASON)
    resets = [e for e in emails_to(user.email) if "réinitialisés" in e.subject]
    assert len(resets) == 1


def test_a_refused_second_factors_reset_changes_nothing(agent_a, agent_b):
    user = UserFactory.create(mobile_confirmed_at=timezone.now())
    _propose(agent_a, user, "reset")

    _refuse(agent_b, Proposal.objects.get())

    assert Proposal.objects.get().status == ProposalStatus.REFUSED
    assert User.objects.get(pk=user.pk).mobile_confirmed_at is not None
    assert not AuditEvent.objects.filter(action=Action.SECOND_FACTORS_RESET).exists()
    assert not any("réinitialisés" in e.subject for e in emails_to(user.email))


def test_the_journal_tells_what_was_proposed(agent_a):
    user = _locked_user()
    _propose(agent_a, user, "unlock")
    _propose(agent_a, UserFactory.create(), "reset")

    made = AuditEvent.objects.filter(action=Action.PROPOSAL_MADE).order_by("pk")

    sentences = [sentence(event) for event in made]
    assert "débloquer la connexion" in sentences[0]
    assert "réinitialiser les seconds facteurs" in sentences[1]
