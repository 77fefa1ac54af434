"""The bank's support staff in the Django admin: they see everything, change only through services."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from audit.models import Action, AuditEvent
from companies.models import Role
from core import outbox, sms
from core.models import Message, MessageStatus
from invitations.models import Invitation, InvitationStatus
from otp.models import AccessAuthorisation, SignatureChallenge
from permissions.catalogue import Right
from permissions.models import Grant
from teams.models import RightsChange
from tests.admin.forms import REASON, company_form, membership_form
from tests.factories import CompanyFactory, MembershipFactory, UserFactory
from tests.invitations.factories import create, sent
from tests.otp.factories import last_code

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    sms.outbox.clear()


@pytest.fixture
def support():
    staff = UserFactory(email="support@banque.example", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    client.user = staff
    return client


@pytest.fixture
def sent_invitation(admin):
    invitation, _token = sent(admin)
    return invitation


@pytest.fixture
def every_object(admin, collaborator_with, sent_invitation):
    """One row of each model support staff look at."""
    collaborator_with("documents")
    return {
        "accounts.user": admin.user,
        "companies.company": admin.company,
        "companies.membership": admin,
        "invitations.invitation": sent_invitation,
        "otp.signaturechallenge": sent_invitation.challenge,
        "otp.accessauthorisation": sent_invitation.authorisation,
        "audit.auditevent": AuditEvent.objects.filter(target_id=str(sent_invitation.pk)).first(),
    }


def admin_url(model: str, view: str, *args) -> str:
    app_label, model_name = model.split(".")
    return reverse(f"admin:{app_label}_{model_name}_{view}", args=args)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def act(support, action: str, *invitations: Invitation):
    return support.post(
        admin_url("invitations.invitation", "changelist"),
        {
            "action": action,
            "_selected_action": [i.pk for i in invitations],
            "apply": "1",
            "reason": REASON,
        },
    )


MODELS = [
    "accounts.user",
    "companies.company",
    "companies.membership",
    "invitations.invitation",
    "otp.signaturechallenge",
    "otp.accessauthorisation",
    "audit.auditevent",
]
READ_ONLY = ["otp.signaturechallenge", "otp.accessauthorisation", "audit.auditevent"]


@pytest.mark.parametrize("model", MODELS)
def test_support_opens_the_list_of_each_model(support, every_object, model):
    assert support.get(admin_url(model, "changelist")).status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_support_opens_the_page_of_each_object(support, every_object, model):
    response = support.get(admin_url(model, "change", every_object[model].pk))

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("model", "query"),
    [
        ("companies.membership", {"role": "admin", "q": "Atelier"}),
        ("invitations.invitation", {"status": "sent", "q": "lea.martin"}),
        ("audit.auditevent", {"action": "signed"}),
        ("otp.signaturechallenge", {"status": "consumed"}),
    ],
)
def test_support_filters_and_searches_the_lists(support, every_object, model, query):
    response = support.get(admin_url(model, "changelist"), query)

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


def test_a_non_staff_user_is_sent_to_the_admin_login(admin):
    client = Client()
    client.force_login(admin.user)

    response = client.get(admin_url("invitations.invitation", "changelist"))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.parametrize("model", READ_ONLY)
def test_evidence_cannot_be_added(support, model):
    assert support.get(admin_url(model, "add")).status_code == 403


@pytest.mark.parametrize("model", READ_ONLY)
def test_evidence_cannot_be_deleted(support, every_object, model):
    url = admin_url(model, "delete", every_object[model].pk)

    assert support.post(url, {"post": "yes"}).status_code == 403
    assert type(every_object[model]).objects.filter(pk=every_object[model].pk).exists()


@pytest.mark.parametrize("model", READ_ONLY)
def test_evidence_pages_offer_neither_add_nor_delete_nor_save(support, every_object, model):
    listing = support.get(admin_url(model, "changelist")).content.decode()
    page = support.get(admin_url(model, "change", every_object[model].pk)).content.decode()

    assert admin_url(model, "add") not in listing
    assert 'name="_save"' not in page
    assert admin_url(model, "delete", every_object[model].pk) not in page


def test_a_signature_challenge_cannot_be_changed(support, sent_invitation):
    challenge = sent_invitation.challenge
    url = admin_url("otp.signaturechallenge", "change", challenge.pk)

    response = support.post(url, {"status": "pending", "failed_attempts": 0})

    assert response.status_code == 403
    assert SignatureChallenge.objects.get(pk=challenge.pk).status == "consumed"


def test_the_challenge_page_shows_the_masked_phone_and_no_code(support, admin):
    invitation = create(admin)
    from tests.invitations.factories import request_code

    challenge = request_code(invitation, admin)
    code = last_code()

    page = support.get(admin_url("otp.signaturechallenge", "change", challenge.pk)).content
    assert "+33 6 •• •• •• 42" in page.decode()
    assert code not in page.decode()


def test_the_authorisation_shows_its_statement_preformatted(support, sent_invitation):
    authorisation = AccessAuthorisation.objects.get(pk=sent_invitation.authorisation_id)

    page = support.get(
        admin_url("otp.accessauthorisation", "change", authorisation.pk)
    ).content.decode()

    assert "<pre" in page
    assert "Léa Martin" in page
    assert authorisation.payload_digest in page


def test_the_invitation_page_never_shows_the_token_hash(support, sent_invitation):
    assert sent_invitation.token_hash
    page = support.get(admin_url("invitations.invitation", "change", sent_invitation.pk))

    assert sent_invitation.token_hash not in page.content.decode()


def test_invitations_cannot_be_added_or_deleted_in_the_admin(support, sent_invitation):
    assert support.get(admin_url("invitations.invitation", "add")).status_code == 403
    delete = admin_url("invitations.invitation", "delete", sent_invitation.pk)
    assert support.post(delete, {"post": "yes"}).status_code == 403


def test_an_invitation_cannot_be_edited_by_hand(support, sent_invitation):
    url = admin_url("invitations.invitation", "change", sent_invitation.pk)

    support.post(url, {"status": "accepted", "rights": '["bank_details"]'})

    sent_invitation.refresh_from_db()
    assert sent_invitation.status == InvitationStatus.SENT
    assert sent_invitation.rights == ["documents", "treasury"]


def test_support_resends_an_invitation_with_a_new_link(
    support, sent_invitation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = act(support, "resend", sent_invitation)

    assert response.status_code == 302
    old_hash = sent_invitation.token_hash
    sent_invitation.refresh_from_db()
    assert sent_invitation.status == InvitationStatus.SIGNED
    assert sent_invitation.token_hash != old_hash
    [new_email] = Message.objects.filter(
        about_id=str(sent_invitation.pk), status=MessageStatus.PENDING
    )
    assert [(c.args, c.keywords) for c in callbacks] == [
        ((outbox.MESSAGE_DELIVER,), {"message_id": new_email.pk})
    ]


def test_a_resend_by_support_is_audited_with_their_name_and_address(support, sent_invitation):
    act(support, "resend", sent_invitation)

    [event] = AuditEvent.objects.filter(target_id=str(sent_invitation.pk), action=Action.RESENT)
    assert (event.actor, event.company, event.ip_address) == (
        support.user,
        sent_invitation.company,
        "127.0.0.1",
    )


def test_a_refused_resend_is_reported_and_the_others_go_through(support, admin, sent_invitation):
    unsigned = create(admin, email="paul@partenaire.example")

    response = act(support, "resend", sent_invitation, unsigned)

    messages = messages_of(response)
    assert any("paul@partenaire.example" in m and "envoyée ou en échec" in m for m in messages)
    assert any("Invitation renvoyée" in m and sent_invitation.email in m for m in messages)
    unsigned.refresh_from_db()
    assert unsigned.status == InvitationStatus.AWAITING_SIGNATURE


def test_support_revokes_an_invitation(support, sent_invitation):
    response = act(support, "revoke", sent_invitation)

    assert response.status_code == 302
    sent_invitation.refresh_from_db()
    assert sent_invitation.status == InvitationStatus.REVOKED
    assert AuditEvent.objects.filter(
        target_id=str(sent_invitation.pk), action=Action.REVOKED, actor=support.user
    ).exists()


def test_revoking_a_revoked_invitation_is_reported(support, sent_invitation):
    act(support, "revoke", sent_invitation)

    response = act(support, "revoke", sent_invitation)

    assert any("n’est plus en cours" in m for m in messages_of(response))


def test_the_company_page_shows_its_contracts_and_members(support, admin):
    page = support.get(admin_url("companies.company", "change", admin.company.pk)).content.decode()

    assert all(c.reference in page for c in admin.company.contracts.all())
    assert "Claire Durand" in page


def test_support_grants_a_right_on_the_membership_page(support, collaborator_with):
    member = collaborator_with()
    url = admin_url("companies.membership", "change", member.pk)

    response = support.post(url, membership_form(member, "treasury"))

    assert response.status_code == 302
    assert list(Grant.objects.filter(membership=member).values_list("right", flat=True)) == [
        "treasury"
    ]


def test_support_cannot_grant_a_right_the_company_cannot_hold(support):
    company = CompanyFactory()  # no CLUB contract
    member = MembershipFactory(company=company, role=Role.COLLABORATOR)
    url = admin_url("companies.membership", "change", member.pk)

    response = support.post(url, membership_form(member, "fund_operations"))

    assert response.status_code == 200
    assert "CLUB" in response.content.decode()
    assert not Grant.objects.filter(membership=member).exists()


def test_an_event_of_a_deleted_user_and_company_still_displays(support):
    from audit.services import audit_record

    gone = UserFactory(email="parti@ancienne.example")
    company = CompanyFactory()
    event = audit_record(action=Action.LOGIN, actor=gone, company=company)
    gone.delete()
    company.delete()

    listing = support.get(admin_url("audit.auditevent", "changelist"))
    page = support.get(admin_url("audit.auditevent", "change", event.pk))

    assert listing.status_code == page.status_code == 200
    assert "parti@ancienne.example" in page.content.decode()


# --- Support's edits are audited ------------------------------------------------------------


def support_events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def user_form(user, **changes):
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "mobile": str(user.mobile),
        "is_active": "on",
        "reason": REASON,
    }
    return {**data, **changes}


def test_a_mobile_changed_by_support_is_audited_with_their_name_and_address(
    support, collaborator_with
):
    member = collaborator_with(Right.DOCUMENTS)
    member.user.mobile = "+33612345642"
    member.user.save()
    url = admin_url("accounts.user", "change", member.user.pk)

    response = support.post(url, user_form(member.user, mobile="+33698765432"))

    assert response.status_code == 302
    member.user.refresh_from_db()
    assert str(member.user.mobile) == "+33698765432"
    [event] = support_events(Action.SUPPORT_MOBILE_CHANGED)
    assert event.actor_id == support.user.pk
    assert event.actor_email == "support@banque.example"
    assert event.target_id == str(member.user.pk)
    assert event.ip_address == "127.0.0.1"
    assert event.data == {
        "previous": "+33 6 •• •• •• 42",
        "new": "+33 6 •• •• •• 32",
        "created": False,
        "reason": REASON,
    }


def test_saving_a_user_without_touching_the_mobile_records_no_mobile_change(support, admin):
    url = admin_url("accounts.user", "change", admin.user.pk)

    support.post(url, user_form(admin.user, first_name="Claire-Marie"))

    assert support_events(Action.SUPPORT_MOBILE_CHANGED) == []


def test_a_role_changed_by_support_is_audited_with_the_company(support, admin):
    # an administrator made a collaborator: making one an administrator is a proposal (backoffice)
    member = MembershipFactory.create(company=admin.company, role=Role.ADMIN)
    url = admin_url("companies.membership", "change", member.pk)
    data = membership_form(member)
    data["role"] = Role.COLLABORATOR

    response = support.post(url, data)

    assert response.status_code == 302
    [event] = support_events(Action.SUPPORT_MEMBERSHIP_CHANGED)
    assert event.actor_id == support.user.pk
    assert event.company_id == member.company_id
    assert event.target_id == str(member.pk)
    assert event.ip_address == "127.0.0.1"
    assert event.data["changes"] == {"role": {"from": "admin", "to": "collaborator"}}


def test_rights_granted_and_removed_by_support_are_audited(support, collaborator_with):
    member = collaborator_with("documents")
    url = admin_url("companies.membership", "change", member.pk)

    response = support.post(url, membership_form(member, "treasury"))

    assert response.status_code == 302
    assert set(Grant.objects.filter(membership=member).values_list("right", flat=True)) == {
        "treasury"
    }
    [event] = support_events(Action.SUPPORT_GRANTS_CHANGED)
    assert event.actor_id == support.user.pk
    assert event.company_id == member.company_id
    assert event.target_id == str(member.pk)
    change = RightsChange.objects.get(membership=member)
    assert event.data == {
        "change": change.pk,
        "via": "support",
        "added": ["treasury"],
        "removed": ["documents"],
        "rights": ["treasury"],
        "reason": REASON,
    }
    assert support_events(Action.SUPPORT_MEMBERSHIP_CHANGED) == []


def test_a_role_changed_on_the_company_page_is_audited(support, admin, collaborator_with):
    member = collaborator_with()
    company = admin.company
    data = company_form(company, {member.pk: {"status": "suspended"}})

    response = support.post(admin_url("companies.company", "change", company.pk), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    [event] = support_events(Action.SUPPORT_MEMBERSHIP_CHANGED)
    assert event.target_id == str(member.pk)
    assert event.company_id == company.pk
    assert event.data["changes"] == {"status": {"from": "active", "to": "suspended"}}


def test_a_membership_deleted_by_support_is_audited_with_its_rights(support, collaborator_with):
    member = collaborator_with("documents", "treasury")
    url = admin_url("companies.membership", "delete", member.pk)

    response = support.post(url, {"post": "yes", "reason": REASON})

    assert response.status_code == 302
    [event] = support_events(Action.SUPPORT_MEMBERSHIP_DELETED)
    assert event.actor_id == support.user.pk
    assert event.company_id == member.company_id
    assert event.data["rights"] == ["documents", "treasury"]
