import datetime

import pytest
from django.core import mail

from audit.models import Action, AuditEvent
from companies.models import Membership, Role
from core import outbox, sms
from core.models import Message, MessageStatus
from invitations import services
from invitations.models import Invitation, InvitationStatus
from otp import services as otp
from otp.models import ChallengeStatus
from permissions.catalogue import CATALOGUE, Right
from tests.factories import CompanyFactory, MembershipFactory, UserFactory
from tests.invitations.factories import (
    IP,
    USER_AGENT,
    create,
    dispatch,
    request_code,
    sent,
    sign,
    signed,
)
from tests.login import accept_new_account_service
from tests.otp.factories import NOW, last_code, rows_containing, wrong_code
from tests.outbox import deliver, emails_to, pending

pytestmark = pytest.mark.django_db

LEA = "lea.martin@partenaire.example"
A_WEEK = datetime.timedelta(days=7)


@pytest.fixture
def lea():
    return UserFactory(email=LEA, first_name="Léa", last_name="Martin")


def events(invitation: Invitation, action: Action) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(target_id=str(invitation.pk), action=action))


def grants_of(membership: Membership) -> set[str]:
    return set(membership.grants.values_list("right", flat=True))


def accept(token, user, now=NOW):
    return services.invitation_accept(token=token, user=user, ip_address=IP, now=now)


# Creating an invitation


def test_an_invitation_is_created_awaiting_signature_with_its_rights_in_catalogue_order(admin):
    invitation = create(admin, rights=("treasury", "documents"))

    assert invitation.status == InvitationStatus.AWAITING_SIGNATURE
    assert invitation.rights == ["documents", "treasury"]
    assert invitation.invited_by == admin.user


def test_the_invited_email_is_kept_in_lower_case(admin):
    assert create(admin, email="  Lea.Martin@Partenaire.EXAMPLE ").email == LEA


def test_creating_an_invitation_is_audited(admin):
    invitation = create(admin)

    [event] = events(invitation, Action.INVITATION_CREATED)
    assert (event.actor, event.company, event.ip_address) == (admin.user, admin.company, IP)
    assert event.data == {"rights": ["documents", "treasury"]}


@pytest.mark.parametrize(
    ("rights", "field"),
    [
        ((), "rights"),
        (("documents", "launch_missiles"), "rights"),
    ],
    ids=["no right", "unknown right"],
)
def test_an_invitation_without_a_valid_right_is_refused(admin, rights, field):
    with pytest.raises(services.InvitationRefused) as refusal:
        create(admin, rights=rights)

    assert refusal.value.field == field
    assert not Invitation.objects.filter(company=admin.company).exists()


def test_a_right_the_company_cannot_grant_is_refused_and_nothing_is_saved():
    company = CompanyFactory()  # no CLUB contract
    admin = MembershipFactory(company=company, role=Role.ADMIN)

    with pytest.raises(services.InvitationRefused) as refusal:
        create(admin, rights=("documents", "fund_operations"))

    assert refusal.value.field == "rights"
    assert "Gestion des fonds" in refusal.value.message
    assert not Invitation.objects.filter(company=company).exists()
    assert not AuditEvent.objects.filter(company=company).exists()


def test_an_invitation_for_a_member_of_the_company_is_refused(admin, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS)

    with pytest.raises(services.InvitationRefused) as refusal:
        create(admin, email=member.user.email.upper())

    assert refusal.value.field == "email"
    assert not Invitation.objects.filter(company=admin.company).exists()


def test_a_member_of_another_company_can_be_invited(admin, other_admin):
    assert create(admin, email=other_admin.user.email).pk


def test_a_second_invitation_for_a_pending_email_is_refused(admin):
    first = create(admin)

    with pytest.raises(services.InvitationRefused) as refusal:
        create(admin, email=LEA.upper())

    assert refusal.value.field == "email"
    assert list(Invitation.objects.filter(company=admin.company)) == [first]


def test_an_email_can_be_invited_again_once_its_invitation_was_revoked(admin):
    first = create(admin)
    services.invitation_revoke(
        invitation_id=first.pk, company=admin.company, actor=admin.user, ip_address=IP, now=NOW
    )

    assert create(admin).pk != first.pk


# Requesting the code and signing


def test_requesting_the_code_sends_it_by_sms_to_the_signer(admin):
    invitation = create(admin)

    challenge = request_code(invitation, admin)

    assert [m.to for m in sms.outbox] == ["+33612345642"]
    assert challenge.send_count == 1
    assert "Léa Martin" in sms.outbox[0].body


def test_sending_the_code_is_audited_with_the_masked_phone(admin):
    invitation = create(admin)
    request_code(invitation, admin)

    [event] = events(invitation, Action.CODE_SENT)
    assert (event.actor, event.company, event.ip_address) == (admin.user, admin.company, IP)
    assert event.data["phone"] == "+33 6 •• •• •• 42"


def test_asking_again_for_the_code_resends_the_same_code_after_thirty_seconds(admin):
    invitation = create(admin)
    first = request_code(invitation, admin)
    code = last_code()

    again = request_code(invitation, admin, now=NOW + datetime.timedelta(seconds=30))

    assert again.pk == first.pk
    assert last_code() == code


def test_asking_again_for_the_code_within_thirty_seconds_is_refused(admin):
    invitation = create(admin)
    request_code(invitation, admin)

    with pytest.raises(otp.ResendTooSoon):
        request_code(invitation, admin, now=NOW + datetime.timedelta(seconds=10))


def test_a_fourth_request_for_the_same_content_is_refused(admin):
    invitation = create(admin)
    for seconds in (0, 30, 60):
        request_code(invitation, admin, now=NOW + datetime.timedelta(seconds=seconds))

    with pytest.raises(otp.TooManySends):
        request_code(invitation, admin, now=NOW + datetime.timedelta(seconds=90))
    assert len(sms.outbox) == 3


def test_a_new_code_can_be_requested_once_the_previous_one_expired(admin):
    invitation = create(admin)
    first = request_code(invitation, admin)

    second = request_code(invitation, admin, now=NOW + datetime.timedelta(minutes=5))

    assert second.pk != first.pk
    assert len(sms.outbox) == 2


def test_an_administrator_without_a_mobile_cannot_request_a_code(admin):
    invitation = create(admin)
    admin.user.mobile = ""
    admin.user.save()

    with pytest.raises(otp.NoMobileNumber):
        request_code(invitation, admin)


def test_signing_with_the_right_code_signs_the_invitation(admin):
    invitation = signed(admin)

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SIGNED
    assert invitation.signed_at == NOW


def test_signing_records_the_authorisation_with_the_rights_that_were_signed(admin):
    authorisation = signed(admin, rights=("treasury", "documents")).authorisation

    assert authorisation.rights == ["documents", "treasury"]
    assert authorisation.company == admin.company
    assert authorisation.signer == admin.user
    assert authorisation.subject_email == LEA
    assert authorisation.subject_name == "Léa Martin"


def test_the_authorisation_keeps_the_evidence_of_the_signature(admin):
    invitation = signed(admin)
    authorisation = invitation.authorisation
    expected_digest = otp.payload_digest(services.signature_payload(invitation, signer=admin.user))

    assert authorisation.phone_masked == "+33 6 •• •• •• 42"
    assert authorisation.ip_address == IP
    assert authorisation.user_agent == USER_AGENT
    assert authorisation.signed_at == NOW
    assert authorisation.payload_digest == expected_digest
    assert authorisation.challenge.status == ChallengeStatus.CONSUMED


def test_the_signed_statement_names_the_invitee_and_each_right_in_plain_text(admin):
    every_right = tuple(Right.values)
    statement = signed(admin, rights=every_right).authorisation.statement

    assert "Léa Martin" in statement
    assert LEA in statement
    assert admin.company.name in statement
    assert all(spec.label in statement for spec in CATALOGUE.values())
    assert "&#x27;" not in statement
    assert "&lt;" not in statement


def test_signing_writes_the_email_in_the_outbox_and_queues_it_after_commit(
    admin, django_capture_on_commit_callbacks
):
    invitation = create(admin)
    request_code(invitation, admin)

    with django_capture_on_commit_callbacks() as callbacks:
        sign(invitation, admin)

    [message] = emails_to(LEA)
    assert (message.status, message.about, message.company_id) == (
        MessageStatus.PENDING,
        invitation,
        admin.company.pk,
    )
    [callback] = [c for c in callbacks if c.args == (outbox.MESSAGE_DELIVER,)]
    assert callback.keywords == {"message_id": message.pk}


def test_signing_is_audited(admin):
    invitation = signed(admin)

    [event] = events(invitation, Action.SIGNED)
    assert (event.actor, event.company, event.ip_address) == (admin.user, admin.company, IP)
    assert event.data["rights"] == ["documents", "treasury"]
    assert event.data["authorisation"] == str(invitation.authorisation.pk)


def test_a_wrong_code_is_refused_and_leaves_the_invitation_awaiting_signature(admin):
    invitation = create(admin)
    request_code(invitation, admin)

    with pytest.raises(otp.SignatureError):
        sign(invitation, admin, code=wrong_code(last_code()))

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.AWAITING_SIGNATURE
    assert invitation.authorisation is None


def test_a_wrong_code_is_audited(admin):
    invitation = create(admin)
    request_code(invitation, admin)

    with pytest.raises(otp.SignatureError):
        sign(invitation, admin, code=wrong_code(last_code()))

    [event] = events(invitation, Action.CODE_WRONG)
    assert (event.actor, event.company, event.ip_address) == (admin.user, admin.company, IP)
    assert event.data == {"outcome": "wrong_code", "failed_attempts": 1}


def test_signing_before_requesting_a_code_is_refused(admin):
    invitation = create(admin)

    with pytest.raises(otp.CodeNotSent):
        sign(invitation, admin, code="123456")


def test_a_code_is_refused_when_the_rights_changed_after_it_was_sent(admin):
    invitation = create(admin, rights=("documents",))
    request_code(invitation, admin)
    Invitation.objects.filter(pk=invitation.pk).update(rights=["documents", "bank_details"])

    with pytest.raises(otp.SignatureError):
        sign(invitation, admin)

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.AWAITING_SIGNATURE
    assert invitation.challenge.status == ChallengeStatus.DEAD


def test_another_administrator_cannot_sign_with_the_code_sent_to_the_first(admin, company):
    invitation = create(admin)
    request_code(invitation, admin)
    code = last_code()
    second_admin = MembershipFactory(company=company, role=Role.ADMIN)

    with pytest.raises(otp.CodeNotSent):
        sign(invitation, second_admin, code=code)

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.AWAITING_SIGNATURE


def test_an_invitation_of_another_company_cannot_be_signed(admin, other_admin):
    invitation = create(admin)
    request_code(invitation, admin)

    with pytest.raises(Invitation.DoesNotExist):
        sign(invitation, other_admin)


def test_a_signed_invitation_cannot_be_signed_again(admin):
    invitation = signed(admin)

    with pytest.raises(services.InvitationRefused):
        sign(invitation, admin)


def test_the_code_is_stored_nowhere_in_the_database(admin):
    invitation = create(admin)
    request_code(invitation, admin)
    code = last_code()
    with pytest.raises(otp.SignatureError):
        sign(invitation, admin, code=wrong_code(code))
    sign(invitation, admin, code=code)

    assert rows_containing(code) == []


# Dispatching the email


def test_the_invitee_is_emailed_once_even_when_delivered_twice(admin):
    signed(admin)
    [message] = emails_to(LEA)

    first = outbox.message_deliver(message_id=message.pk, now=NOW)
    second = outbox.message_deliver(message_id=message.pk, now=NOW)

    assert (first.sent, second.sent) == (True, False)
    assert [m.to for m in mail.outbox] == [[LEA]]


def test_dispatch_marks_the_invitation_sent_for_seven_days(admin):
    invitation, _token = sent(admin)

    assert invitation.status == InvitationStatus.SENT
    assert invitation.sent_at == NOW
    assert invitation.expires_at == NOW + A_WEEK


def test_the_invitation_email_is_french_with_text_and_html_and_the_link(admin):
    _invitation, token = sent(admin)
    [message] = mail.outbox

    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert admin.company.name in message.subject
    assert "Bonjour Léa" in message.body
    assert token in message.body
    assert token in html
    assert CATALOGUE[Right.TREASURY].label in message.body


def test_the_email_lists_the_signed_rights_even_if_the_invitation_was_tampered_with(admin):
    invitation = signed(admin, rights=("documents",))
    Invitation.objects.filter(pk=invitation.pk).update(rights=["documents", "bank_details"])

    dispatch(invitation)

    assert CATALOGUE[Right.DOCUMENTS].label in mail.outbox[0].body
    assert CATALOGUE[Right.BANK_DETAILS].label not in mail.outbox[0].body


def test_only_the_sha256_of_the_link_token_is_stored(admin):
    invitation, token = sent(admin)

    assert invitation.token_hash == services.hash_token(token)
    assert len(token) >= 43  # 256 random bits
    assert rows_containing(token) == []


def test_a_non_signed_invitation_is_not_emailed(admin):
    create(admin)

    assert pending() == []


def test_dispatch_is_audited(admin):
    invitation, _token = sent(admin)

    [event] = events(invitation, Action.EMAILED)
    assert event.company == admin.company
    assert event.actor is None


# Resending and revoking


def test_resending_gives_a_new_link_and_kills_the_old_one(admin):
    invitation, old_token = sent(admin)

    services.invitation_resend(
        invitation_id=invitation.pk, company=admin.company, actor=admin.user, ip_address=IP, now=NOW
    )
    new_token = dispatch(invitation)

    assert new_token != old_token
    with pytest.raises(services.InvitationLinkInvalid) as refusal:
        services.invitation_for_token(old_token, now=NOW)
    assert refusal.value.reason == "replaced"
    assert services.invitation_for_token(new_token, now=NOW) == invitation


def test_resending_writes_a_new_email_in_the_outbox(admin, django_capture_on_commit_callbacks):
    invitation, _token = sent(admin)

    with django_capture_on_commit_callbacks() as callbacks:
        services.invitation_resend(
            invitation_id=invitation.pk,
            company=admin.company,
            actor=admin.user,
            ip_address=IP,
            now=NOW,
        )

    first, second = emails_to(LEA)
    assert (first.status, second.status) == (MessageStatus.SENT, MessageStatus.PENDING)
    assert [(c.args, c.keywords) for c in callbacks] == [
        ((outbox.MESSAGE_DELIVER,), {"message_id": second.pk})
    ]


def test_resending_an_unsigned_invitation_is_refused(admin):
    invitation = create(admin)

    with pytest.raises(services.InvitationRefused):
        services.invitation_resend(
            invitation_id=invitation.pk,
            company=admin.company,
            actor=admin.user,
            ip_address=IP,
            now=NOW,
        )


def test_revoking_kills_the_link(admin):
    invitation, token = sent(admin)

    services.invitation_revoke(
        invitation_id=invitation.pk, company=admin.company, actor=admin.user, ip_address=IP, now=NOW
    )

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    assert invitation.revoked_at == NOW
    with pytest.raises(services.InvitationLinkInvalid) as refusal:
        services.invitation_for_token(token, now=NOW)
    assert refusal.value.reason == "revoked"


def test_revoking_is_audited(admin):
    invitation = create(admin)
    services.invitation_revoke(
        invitation_id=invitation.pk, company=admin.company, actor=admin.user, ip_address=IP, now=NOW
    )

    [event] = events(invitation, Action.REVOKED)
    assert (event.actor, event.company, event.ip_address) == (admin.user, admin.company, IP)


def test_an_accepted_invitation_cannot_be_revoked(admin, lea):
    invitation, token = sent(admin)
    accept(token, lea)

    with pytest.raises(services.InvitationRefused):
        services.invitation_revoke(
            invitation_id=invitation.pk,
            company=admin.company,
            actor=admin.user,
            ip_address=IP,
            now=NOW,
        )


def test_another_companys_invitation_cannot_be_revoked(admin, other_admin):
    invitation = create(admin)

    with pytest.raises(Invitation.DoesNotExist):
        services.invitation_revoke(
            invitation_id=invitation.pk,
            company=other_admin.company,
            actor=other_admin.user,
            ip_address=IP,
            now=NOW,
        )


# Accepting


def test_the_link_opens_the_invitation_without_changing_it(admin):
    invitation, token = sent(admin)

    assert services.invitation_for_token(token, now=NOW) == invitation
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT


def test_accepting_makes_the_invitee_a_collaborator_with_the_signed_rights(admin, lea):
    _invitation, token = sent(admin, rights=("documents", "bank_details"))

    membership = accept(token, lea)

    assert membership.company == admin.company
    assert membership.role == Role.COLLABORATOR
    assert grants_of(membership) == {"documents", "bank_details"}


def test_accepting_grants_what_was_signed_even_if_the_invitation_was_tampered_with(admin, lea):
    invitation, token = sent(admin, rights=("documents",))
    Invitation.objects.filter(pk=invitation.pk).update(rights=list(Right.values))

    membership = accept(token, lea)

    assert grants_of(membership) == {"documents"}


def test_accepting_marks_the_invitation_accepted(admin, lea):
    invitation, token = sent(admin)

    accept(token, lea, now=NOW + datetime.timedelta(hours=1))

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
    assert invitation.accepted_by == lea
    assert invitation.accepted_at == NOW + datetime.timedelta(hours=1)


def test_accepting_is_audited(admin, lea):
    invitation, token = sent(admin)
    accept(token, lea)

    [event] = events(invitation, Action.ACCEPTED)
    assert (event.actor, event.company, event.ip_address) == (lea, admin.company, IP)
    assert event.data == {"rights": ["documents", "treasury"]}


def test_accepting_emails_the_administrator_who_invited(
    admin, lea, eager_tasks, django_capture_on_commit_callbacks
):
    _invitation, token = sent(admin)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        accept(token, lea)

    [message] = mail.outbox
    assert message.to == [admin.user.email]
    assert "Léa Martin" in message.subject
    assert admin.company.name in message.subject


def test_the_inviter_is_told_the_rights_that_were_granted_not_a_tampered_list(admin, lea):
    invitation, token = sent(admin, rights=("documents",))
    Invitation.objects.filter(pk=invitation.pk).update(rights=["documents", "bank_details"])
    mail.outbox.clear()

    accept(token, lea)
    deliver(now=NOW)

    assert CATALOGUE[Right.DOCUMENTS].label in mail.outbox[0].body
    assert CATALOGUE[Right.BANK_DETAILS].label not in mail.outbox[0].body


def test_accepting_writes_the_email_to_the_inviter_with_the_acceptance(
    admin, lea, django_capture_on_commit_callbacks
):
    invitation, token = sent(admin)

    with django_capture_on_commit_callbacks() as callbacks:
        accept(token, lea)

    [message] = emails_to(admin.user.email)
    assert (message.about, message.status) == (invitation, MessageStatus.PENDING)
    [callback] = callbacks
    assert callback.keywords == {"message_id": message.pk}


def test_another_account_cannot_accept_and_nothing_changes(admin):
    invitation, token = sent(admin)
    intruder = UserFactory(email="intrus@ailleurs.example")

    with pytest.raises(services.WrongAccount):
        accept(token, intruder)

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT
    assert not Membership.objects.filter(user=intruder).exists()
    assert not events(invitation, Action.ACCEPTED)


def test_the_invited_email_is_matched_whatever_its_case(admin):
    _invitation, token = sent(admin)
    lea = UserFactory(email=LEA)
    lea.email = LEA.upper()

    assert accept(token, lea).user == lea


def test_a_link_works_only_once(admin, lea):
    _invitation, token = sent(admin)
    accept(token, lea)

    with pytest.raises(services.InvitationLinkInvalid) as refusal:
        accept(token, lea)

    assert refusal.value.reason == "used"


def test_an_expired_link_is_refused(admin, lea):
    _invitation, token = sent(admin)

    with pytest.raises(services.InvitationLinkInvalid) as refusal:
        accept(token, lea, now=NOW + A_WEEK)

    assert refusal.value.reason == "expired"
    assert not Membership.objects.filter(user=lea).exists()


def test_a_link_is_still_valid_just_before_seven_days(admin, lea):
    _invitation, token = sent(admin)

    assert accept(token, lea, now=NOW + A_WEEK - datetime.timedelta(seconds=1)).pk


def test_an_unknown_link_is_refused(lea):
    with pytest.raises(services.InvitationLinkInvalid) as refusal:
        accept("x" * 43, lea)

    assert refusal.value.reason == "unknown"


def test_someone_new_creates_their_account_and_joins(admin):
    _invitation, token = sent(admin)

    membership = accept_new_account_service(
        token=token,
        first_name=" Léa ",
        last_name="Martin",
        mobile="+33698765432",
        password="un-mot-de-passe-solide",
        ip_address=IP,
        now=NOW,
    )

    user = membership.user
    assert (user.email, user.first_name, str(user.mobile)) == (LEA, "Léa", "+33698765432")
    assert user.check_password("un-mot-de-passe-solide")
    assert grants_of(membership) == {"documents", "treasury"}


def test_someone_with_an_account_must_log_in_rather_than_create_another(admin, lea):
    _invitation, token = sent(admin)

    with pytest.raises(services.AccountExists):
        accept_new_account_service(
            token=token,
            first_name="Léa",
            last_name="Martin",
            mobile="+33698765432",
            password="un-mot-de-passe-solide",
            ip_address=IP,
            now=NOW,
        )


# Sweeps


def test_the_sweep_expires_links_older_than_seven_days(admin):
    invitation, _token = sent(admin)

    assert services.invitations_expire(now=NOW + A_WEEK) == 1

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.EXPIRED


def test_the_sweep_leaves_fresh_links_alone(admin):
    _invitation, _token = sent(admin)

    assert services.invitations_expire(now=NOW + datetime.timedelta(days=6)) == 0


def test_a_signed_invitation_left_unsent_is_queued_again_by_the_outbox_sweep(admin):
    invitation = signed(admin)
    [message] = emails_to(LEA)

    assert outbox.messages_sweep(now=NOW + datetime.timedelta(seconds=10)) == []
    assert outbox.messages_sweep(now=NOW + datetime.timedelta(minutes=10)) == [message.pk]
    assert Message.objects.get(pk=message.pk).about == invitation


def test_an_expired_link_does_not_block_a_new_invitation_before_the_sweep(admin):
    first, _token = sent(admin, email="nadia@partenaire.example")
    after_expiry = first.expires_at + datetime.timedelta(minutes=1)

    second = create(admin, email="NADIA@partenaire.example", now=after_expiry)

    first.refresh_from_db()
    assert first.status == InvitationStatus.EXPIRED
    assert second.status == InvitationStatus.AWAITING_SIGNATURE
