import pytest
from django.test import Client

from tests.factories import UserFactory

REASON = "appel du représentant légal, identité vérifiée en agence"


def _agent_client(email: str, first_name: str, last_name: str) -> Client:
    agent = UserFactory.create(
        email=email, first_name=first_name, last_name=last_name, is_staff=True, is_superuser=True
    )
    client = Client()
    client.force_login(agent)
    client.user = agent  # type: ignore[attr-defined]
    return client


@pytest.fixture
def agent_a() -> Client:
    """The support agent who proposes."""
    return _agent_client("agent.a@banque.example", "Alice", "Arnaud")


@pytest.fixture
def agent_b() -> Client:
    """A second, different support agent, who approves or refuses."""
    return _agent_client("agent.b@banque.example", "Bruno", "Bernard")
