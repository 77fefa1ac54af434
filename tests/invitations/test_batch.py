"""Several collaborators invited in one batch, and signed with one SMS code."""

import pytest
from django.core import mail
from django.urls import reverse

from audit.models import Action, AuditEvent
from core import sms
from invitations import services
from invitations.models import Invitation, InvitationBatch, InvitationStatus
from invitations.services import InvitationBatchRefused, InvitationRefused
from otp.models import AccessAuthorisation, ChallengeStatus
from otp.services import SignatureError
from permissions.catalogue import Right
from tests.factories import MembershipFactory, UserFactory
from tests.invitations.batches import (
    create_batch,
    request_batch_code,
    sign_batch,
)
from tests.invitations.factories import IP, create, request_code
from tests.otp.factories import NOW, last_code, wrong_code

pytestmark = pytest.mark.django_db

ANA, BOB, CLEO = "ana@partenaire.example", "bob@partenaire.example", "cleo@partenaire.example"


def create_url(company_id):
    return reverse("invitations:batch_create", args=[company_id])


def sign_url(batch):
    return reverse("invitations:batch_sign", args=[batch.company_id, batch.pk])


def send_url(batch):
    return reverse("invitations:batch_send_code", args=[batch.company_id, batch.pk])


def row(index, email, first="Ana", last="Durand"):
    return {
        f"personnes-{index}-first_name": first,
        f"personnes-{index}-last_name": last,
        f"personnes-{index}-email": email,
        f"personnes-{index}-mobile": "",
    }


def batch_post(*rows, total=5, rights=("documents",)):
    data = {
        "personnes-TOTAL_FORMS": str(total),
        "personnes-INITIAL_FORMS": "0",
        "personnes-MIN_NUM_FORMS": "0",
        "personnes-MAX_NUM_FORMS": "10",
        "rights": list(rights),
    }
    for values in rows:
        data.update(values)
    return data


def test_the_batch_page_offers_five_rows_and_the_rights(admin_client, admin):
    response = admin_client.get(create_url(admin.company_id))

    assert response.status_code == 200
    assert "Inviter plusieurs collaborateurs" in response.text
    assert 'name="personnes-4-email"' in response.text
    assert 'name="personnes-5-email"' not in response.text
    assert 'name="rights"' in response.text
    assert "?lignes=10" in response.text


def test_mes_equipes_links_to_the_batch_page(admin_client, admin):
    response = admin_client.get(reverse("teams:team", args=[admin.company_id]))

    assert create_url(admin.company_id) in response.text


def test_a_batch_of_filled_rows_is_created_and_empty_rows_are_ignored(admin_client, admin):
    response = admin_client.post(
        create_url(admin.company_id), batch_post(row(0, ANA), row(2, BOB, "Bob", "Martin"))
    )

    batch = InvitationBatch.objects.get(company=admin.company)
    assert response.status_code == 302
    assert response["Location"] == sign_url(batch)
    members = Invitation.objects.filter(batch=batch).order_by("email")
    assert [(i.email, i.rights, i.status) for i in members] == [
        (ANA, ["documents"], InvitationStatus.AWAITING_SIGNATURE),
        (BOB, ["documents"], InvitationStatus.AWAITING_SIGNATURE),
    ]


def test_a_bad_row_is_shown_on_its_row_and_nothing_is_saved(admin_client, admin):
    MembershipFactory.create(company=admin.company, user=UserFactory.create(email=BOB))

    response = admin_client.post(
        create_url(admin.company_id),
        batch_post(row(0, ANA), row(1, BOB), row(2, "pas-une-adresse")),
    )

    assert response.status_code == 200
    assert "Saisissez une adresse e-mail valide" in response.text
    assert not Invitation.objects.filter(company=admin.company).exists()
    response = admin_client.post(create_url(admin.company_id), batch_post(row(0, ANA), row(1, BOB)))
    assert "Cette personne fait déjà partie de l’équipe" in response.text
    assert response.context["formset"].forms[1].errors["email"]
    assert not response.context["formset"].forms[0].errors
    assert not Invitation.objects.filter(company=admin.company).exists()
    assert not InvitationBatch.objects.filter(company=admin.company).exists()


def test_the_service_refuses_each_bad_row_by_its_number(admin):
    create(admin, email=CLEO)

    with pytest.raises(InvitationBatchRefused) as refused:
        create_batch(admin, ANA, CLEO, BOB, "ANA@partenaire.example")

    assert set(refused.value.rows) == {1, 3}
    assert "déjà en cours" in refused.value.rows[1]
    assert "plus haut dans le groupe" in refused.value.rows[3]
    assert Invitation.objects.filter(company=admin.company).count() == 1


def test_an_empty_batch_asks_for_one_person(admin_client, admin):
    response = admin_client.post(create_url(admin.company_id), batch_post())

    assert "Renseignez au moins une personne à inviter." in response.text
    assert not InvitationBatch.objects.filter(company=admin.company).exists()


def test_a_right_the_company_cannot_grant_refuses_the_batch(admin):
    with pytest.raises(InvitationRefused) as refused:
        create_batch(admin, ANA, rights=("no_such_right",))

    assert refused.value.field == "rights"
    assert not Invitation.objects.filter(company=admin.company).exists()


def test_one_code_signs_every_invitation_of_the_batch(
    admin, eager_tasks, django_capture_on_commit_callbacks
):
    batch = create_batch(admin, ANA, BOB, CLEO)
    request_batch_code(batch, admin)

    with django_capture_on_commit_callbacks(execute=True):
        signed = sign_batch(batch, admin)

    assert len(sms.outbox) == 1
    batch.refresh_from_db()
    assert batch.signed_at == NOW
    assert batch.challenge.status == ChallengeStatus.CONSUMED
    authorisations = AccessAuthorisation.objects.filter(challenge=batch.challenge)
    assert sorted(a.subject_email for a in authorisations) == [ANA, BOB, CLEO]
    assert {a.version for a in authorisations} == {1}
    assert sorted(i.email for i in signed) == [ANA, BOB, CLEO]
    members = Invitation.objects.filter(batch=batch)
    assert {i.status for i in members} == {InvitationStatus.SENT}
    assert sorted(m.to[0] for m in mail.outbox) == [ANA, BOB, CLEO]


def test_the_batch_is_signed_from_its_page(
    admin_client, admin, eager_tasks, django_capture_on_commit_callbacks
):
    batch = create_batch(admin, ANA, BOB)
    admin_client.post(send_url(batch))

    page = admin_client.get(sign_url(batch))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(sign_url(batch), {"code": last_code()}, follow=True)

    assert ANA in page.text and BOB in page.text
    assert "Autorisations signées. Les invitations sont envoyées à 2 personnes." in response.text
    assert sorted(m.to[0] for m in mail.outbox) == [ANA, BOB]


def test_a_code_for_a_batch_that_changed_is_refused(admin):
    batch = create_batch(admin, ANA, BOB)
    request_batch_code(batch, admin)
    code = last_code()
    Invitation.objects.filter(batch=batch, email=BOB).update(first_name="Robert")

    with pytest.raises(SignatureError):
        sign_batch(batch, admin, code=code)

    assert not Invitation.objects.filter(batch=batch, status=InvitationStatus.SIGNED).exists()
    assert not AccessAuthorisation.objects.filter(company=admin.company).exists()


def test_wrong_codes_are_counted_and_audited(admin):
    batch = create_batch(admin, ANA, BOB)
    request_batch_code(batch, admin)

    for _attempt in range(2):
        with pytest.raises(SignatureError):
            sign_batch(batch, admin, code=wrong_code(last_code()))

    batch.refresh_from_db()
    assert batch.challenge.failed_attempts == 2
    assert (
        AuditEvent.objects.filter(
            company=admin.company, action=Action.CODE_WRONG, target_id=str(batch.pk)
        ).count()
        == 2
    )
    assert not Invitation.objects.filter(batch=batch, status=InvitationStatus.SIGNED).exists()


def test_the_daily_ceiling_counts_each_invitee_and_gives_back_a_refused_batch(admin, settings):
    settings.INVITATIONS_PER_COMPANY_PER_DAY = 3
    create_batch(admin, ANA, BOB)

    with pytest.raises(InvitationRefused) as refused:
        create_batch(admin, CLEO, "dan@partenaire.example")

    assert "vous pouvez encore en inviter 1" in refused.value.message
    create(admin, email=CLEO)
    with pytest.raises(InvitationRefused):
        create(admin, email="dan@partenaire.example")


def test_another_companys_batch_looks_missing(admin_client, other_admin):
    batch = create_batch(other_admin, ANA)

    assert admin_client.get(sign_url(batch)).status_code == 404
    assert admin_client.post(sign_url(batch), {"code": "123456"}).status_code == 404
    assert admin_client.post(send_url(batch)).status_code == 404
    assert sms.outbox == []


def test_the_batch_sign_page_keeps_its_queries_bounded(
    admin_client, admin, django_assert_max_num_queries
):
    batch = create_batch(admin, *[f"p{n}@partenaire.example" for n in range(10)])
    admin_client.get(sign_url(batch))

    with django_assert_max_num_queries(12):
        response = admin_client.get(sign_url(batch))

    assert response.status_code == 200
    assert "p9@partenaire.example" in response.text


def test_a_member_cannot_be_signed_on_its_own_while_its_batch_is_unsigned(admin, admin_client):
    batch = create_batch(admin, ANA, BOB)
    member = Invitation.objects.get(batch=batch, email=ANA)

    with pytest.raises(InvitationRefused):
        request_code(member, admin)
    single = admin_client.get(reverse("invitations:sign", args=[admin.company_id, member.pk]))

    assert single.status_code == 302
    assert single["Location"] == sign_url(batch)
    assert sms.outbox == []


def test_editing_a_members_rights_takes_it_out_of_the_batch(admin):
    batch = create_batch(admin, ANA, BOB)
    request_batch_code(batch, admin)
    code = last_code()
    member = Invitation.objects.get(batch=batch, email=ANA)

    services.invitation_edit_rights(
        invitation_id=member.pk,
        company=admin.company,
        actor=admin.user,
        rights=[Right.DOCUMENTS],
        ip_address=IP,
        now=NOW,
    )

    member.refresh_from_db()
    assert member.batch_id is None
    with pytest.raises(SignatureError):
        sign_batch(batch, admin, code=code)
    request_code(member, admin)
    assert (
        services.invitation_sign(
            invitation_id=member.pk,
            company=admin.company,
            signer=admin.user,
            code=last_code(),
            ip_address=IP,
            user_agent="",
            now=NOW,
        ).status
        == InvitationStatus.SIGNED
    )


def test_the_rest_of_the_batch_is_signed_after_a_member_left_it(admin):
    batch = create_batch(admin, ANA, BOB)
    member = Invitation.objects.get(batch=batch, email=ANA)
    services.invitation_edit_rights(
        invitation_id=member.pk,
        company=admin.company,
        actor=admin.user,
        rights=[Right.DOCUMENTS],
        ip_address=IP,
        now=NOW,
    )
    request_batch_code(batch, admin)

    signed = sign_batch(batch, admin)

    assert [i.email for i in signed] == [BOB]
    member.refresh_from_db()
    assert member.status == InvitationStatus.AWAITING_SIGNATURE


def test_a_signed_batch_cannot_be_signed_again(admin):
    batch = create_batch(admin, ANA)
    request_batch_code(batch, admin)
    sign_batch(batch, admin)

    with pytest.raises(InvitationRefused):
        request_batch_code(batch, admin)


def test_the_batch_send_code_asks_for_a_recent_login(admin, client_for):
    batch = create_batch(admin, ANA)
    client = client_for(admin.user)
    session = client.session
    session.pop("portal_login_at", None)
    session.save()

    response = client.post(send_url(batch))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert sms.outbox == []
