"""Support's edits of a person's account, checked by the service the admin calls: a script that
calls it with values the admin form would refuse gets the same refusal, and nothing is written."""

import pytest

from accounts.models import User
from accounts.services import UserRefused, user_update_by_support
from audit.models import Action, AuditEvent
from companies.models import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return UserFactory.create(email="support@banque.example", is_staff=True, is_superuser=True)


def update(user, agent, **changes):
    values = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "mobile": str(user.mobile),
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
    }
    return user_update_by_support(
        reason="vérifié avec le client par téléphone",
        user=user,
        actor=agent,
        ip_address="127.0.0.1",
        **{**values, **changes},
    )


def unchanged(user):
    saved = User.objects.get(pk=user.pk)
    return (saved.email, str(saved.mobile), saved.is_active) == (
        user.email,
        str(user.mobile),
        user.is_active,
    ) and not AuditEvent.objects.filter(action=Action.SUPPORT_MOBILE_CHANGED).exists()


@pytest.mark.parametrize(
    "changes, field, message",
    [
        pytest.param(
            {"mobile": "+33145678910"},
            "mobile",
            "Saisissez un numéro de mobile (par exemple +33 6 12 34 56 78).",
            id="landline",
        ),
        pytest.param(
            {"mobile": "12"},
            "mobile",
            "Saisissez un numéro de mobile (par exemple +33 6 12 34 56 78).",
            id="not-a-number",
        ),
        pytest.param(
            {"email": "DEJA.PRIS@Entreprise.example"},
            "email",
            "Un utilisateur avec cette adresse e-mail existe déjà.",
            id="email-of-another-person-in-another-case",
        ),
    ],
)
def test_support_cannot_save_a_person_with_values_the_form_refuses(agent, changes, field, message):
    UserFactory.create(email="deja.pris@entreprise.example")
    user = UserFactory.create()

    with pytest.raises(UserRefused) as refusal:
        update(user, agent, **changes)

    assert (refusal.value.field, refusal.value.message) == (field, message)
    assert unchanged(user)


def test_support_cannot_deactivate_the_last_active_administrator(agent, admin):
    with pytest.raises(UserRefused) as refusal:
        update(admin.user, agent, is_active=False)

    assert "au moins un administrateur actif" in refusal.value.message
    assert admin.company.name in refusal.value.message
    assert unchanged(admin.user)


def test_support_deactivates_an_administrator_when_another_stays(agent, admin):
    MembershipFactory.create(company=admin.company, role=Role.ADMIN)

    saved = update(admin.user, agent, is_active=False)

    assert not User.objects.get(pk=saved.pk).is_active


def test_a_mobile_changed_by_support_is_saved_and_audited(agent, admin):
    saved = update(admin.user, agent, mobile="+33698765432", email="Claire@Entreprise.example")

    assert str(saved.mobile) == "+33698765432"
    assert saved.email == "claire@entreprise.example"
    [event] = AuditEvent.objects.filter(action=Action.SUPPORT_MOBILE_CHANGED)
    assert (event.actor_id, event.target_id) == (agent.pk, str(admin.user.pk))
    assert event.data["new"] == "+33 6 •• •• •• 32"
