"""Who can be invited, and the account an invitee creates, checked by the services themselves: a
direct call with what the forms refuse gets the same refusal, and nothing is written."""

import pytest

from accounts.models import User
from audit.models import AuditEvent
from companies.models import Membership
from invitations import services
from invitations.models import Invitation, InvitationStatus
from invitations.services import Invitee
from tests.invitations.factories import IP, sent
from tests.login import accept_new_account_service
from tests.otp.factories import NOW

pytestmark = pytest.mark.django_db

LEA = "lea.martin@partenaire.example"
LANDLINE = "+33140000000"


def invite(admin, **changes):
    fields = {
        "email": LEA,
        "first_name": "Léa",
        "last_name": "Martin",
        "mobile": "+33698765432",
        **changes,
    }
    return services.invitation_create(
        company=admin.company,
        invited_by=admin.user,
        rights=["documents"],
        ip_address=IP,
        now=NOW,
        **fields,
    )


def assert_nothing_written(admin):
    assert not Invitation.objects.filter(company=admin.company).exists()
    assert not AuditEvent.objects.filter(company=admin.company).exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"mobile": LANDLINE}, "mobile", "Saisissez un numéro de mobile"),
        ({"mobile": "06 12"}, "mobile", "Saisissez un numéro de mobile valide"),
        ({"mobile": "pas un numéro"}, "mobile", "Saisissez un numéro de mobile valide"),
        ({"email": "lea.martin"}, "email", "Saisissez une adresse e-mail valide"),
        ({"first_name": "  "}, "first_name", "Indiquez le prénom."),
        ({"last_name": "M" * 151}, "last_name", "150 caractères au plus."),
    ],
)
def test_an_invitee_written_wrong_is_refused_and_nothing_is_written(admin, changes, field, message):
    with pytest.raises(services.InvitationRefused) as refusal:
        invite(admin, **changes)

    assert refusal.value.field == field
    assert message in refusal.value.message
    assert_nothing_written(admin)


def test_a_french_mobile_without_its_prefix_is_stored_in_e164(admin):
    invitation = invite(admin, mobile="06 98 76 54 32")

    assert str(invitation.mobile) == "+33698765432"


def test_a_batch_row_with_a_landline_is_refused_with_the_others_kept_out(admin):
    rows = [
        Invitee(email="ana@partenaire.example", first_name="Ana", last_name="Lopez"),
        Invitee(
            email="bob@partenaire.example", first_name="Bob", last_name="Roux", mobile=LANDLINE
        ),
    ]

    with pytest.raises(services.InvitationBatchRefused) as refusal:
        services.invitation_batch_create(
            company=admin.company,
            invited_by=admin.user,
            invitees=rows,
            rights=["documents"],
            ip_address=IP,
            now=NOW,
        )

    assert list(refusal.value.rows) == [1]
    assert "Saisissez un numéro de mobile" in refusal.value.rows[1]
    assert_nothing_written(admin)


# the account an invitee creates


def new_account(token, **changes):
    fields = {
        "first_name": "Léa",
        "last_name": "Martin",
        "mobile": "+33698765432",
        "password": "un-mot-de-passe-solide",
        **changes,
    }
    return accept_new_account_service(token=token, ip_address=IP, now=NOW, **fields)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"mobile": ""}, "mobile", "Saisissez votre numéro de mobile."),
        ({"mobile": LANDLINE}, "mobile", "Saisissez un numéro de mobile"),
        ({"password": "court"}, "password1", "Ce mot de passe est trop court."),
        ({"password": "12345678901234"}, "password1", "entièrement numérique"),
        ({"password": "lea.martin.partenaire"}, "password1", "trop semblable"),
    ],
)
def test_an_account_the_rules_refuse_is_not_created_and_the_link_still_works(
    admin, changes, field, message
):
    invitation, token = sent(admin)

    with pytest.raises(services.InvitationRefused) as refusal:
        new_account(token, **changes)

    assert refusal.value.field == field
    assert message in refusal.value.message
    assert not User.objects.filter(email__iexact=LEA).exists()
    assert not Membership.objects.filter(company=admin.company, user__email=LEA).exists()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT
