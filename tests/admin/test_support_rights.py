"""Support changes a member's rights, role and status in the Django admin through the team's
services: audited as support's, the member emailed, the portal's rules shown in the form."""

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse

from audit.models import Action, AuditEvent
from backoffice.models import Proposal
from companies.models import Membership, MembershipStatus, Role
from otp.models import AccessAuthorisation, ClosingReason
from permissions.catalogue import Right
from permissions.models import Grant
from portal.celery import app
from teams.models import RightsChange, RightsChangeOrigin
from tests.admin.forms import REASON, company_form, membership_form
from tests.factories import CompanyFactory, MembershipFactory, UserFactory
from tests.teams.factories import request_change, request_code, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def support():
    staff = UserFactory(email="support@banque.example", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    client.user = staff
    return client


@pytest.fixture
def eager_tasks(settings):
    """The notifications queued on commit run in this process."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield
    (app.conf.changes or {}).pop("task_always_eager", None)


def member_url(member):
    return reverse("admin:companies_membership_change", args=[member.pk])


def rights_of(member):
    return sorted(Grant.objects.filter(membership=member).values_list("right", flat=True))


def events(company, action):
    return list(AuditEvent.objects.filter(company=company, action=action))


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def signed_member(admin, collaborator_with, *rights):
    member = collaborator_with()
    change = request_change(admin, member, *rights)
    request_code(admin, change)
    sign(admin, change)
    return member


def test_the_membership_page_offers_the_rights_as_checkboxes(support, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS)

    page = support.get(member_url(member)).content.decode()

    assert 'name="rights" value="documents"' in page
    assert "grants-TOTAL_FORMS" not in page


def test_support_grants_a_right_through_the_rights_service(
    support, admin, collaborator_with, eager_tasks, django_capture_on_commit_callbacks
):
    member = collaborator_with(Right.DOCUMENTS)

    with django_capture_on_commit_callbacks(execute=True):
        response = support.post(
            member_url(member), membership_form(member, "documents", "treasury")
        )

    assert response.status_code == 302
    assert rights_of(member) == ["documents", "treasury"]
    change = RightsChange.objects.get(membership=member)
    assert (change.origin, change.requested_by) == (RightsChangeOrigin.SUPPORT, support.user)
    [event] = events(admin.company, Action.SUPPORT_GRANTS_CHANGED)
    assert (event.actor, event.ip_address) == (support.user, "127.0.0.1")
    assert event.data["via"] == "support"
    [message] = mail.outbox
    assert message.to == [member.user.email]
    assert "modifiés par le support de la banque" in message.body
    assert "Accéder au service Suivi de trésorerie" in message.body


def test_a_money_right_granted_in_the_admin_alerts_the_administrators(
    support, admin, collaborator_with, eager_tasks, django_capture_on_commit_callbacks
):
    member = collaborator_with()
    second_agent = Client()
    second_agent.force_login(UserFactory(is_staff=True, is_superuser=True))

    with django_capture_on_commit_callbacks(execute=True):
        support.post(member_url(member), membership_form(member, "bank_details"))
    proposal = Proposal.objects.get(subject_id=str(member.pk))
    with django_capture_on_commit_callbacks(execute=True):
        second_agent.post(reverse("admin:backoffice_proposal_approve", args=[proposal.pk]))

    assert sorted(m.to[0] for m in mail.outbox) == sorted([admin.user.email, member.user.email])


def test_support_removes_every_right(support, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS, Right.TREASURY)

    response = support.post(member_url(member), membership_form(member, rights=[]))

    assert response.status_code == 302
    assert rights_of(member) == []


def test_a_right_the_company_cannot_give_is_refused_in_the_form(
    support, django_capture_on_commit_callbacks
):
    company = CompanyFactory()  # no CLUB contract
    member = MembershipFactory(company=company, role=Role.COLLABORATOR)

    with django_capture_on_commit_callbacks(execute=True):
        response = support.post(member_url(member), membership_form(member, "fund_operations"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Ce droit ne peut pas être accordé" in page
    assert "CLUB" in page
    assert rights_of(member) == []
    assert not RightsChange.objects.filter(membership=member).exists()
    assert not events(company, Action.SUPPORT_GRANTS_CHANGED)
    assert mail.outbox == []


def test_saving_the_page_without_touching_the_rights_changes_none(support, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS)

    response = support.post(member_url(member), membership_form(member))

    assert response.status_code == 302
    assert not RightsChange.objects.filter(membership=member).exists()


def test_an_administrators_rights_cannot_be_ticked(support, admin):
    response = support.post(member_url(admin), membership_form(admin, "documents"))

    assert response.status_code == 302
    assert rights_of(admin) == []
    assert not RightsChange.objects.filter(membership=admin).exists()


def test_rights_are_not_changed_in_the_same_save_that_makes_an_administrator(
    support, collaborator_with
):
    member = collaborator_with(Right.DOCUMENTS)

    response = support.post(
        member_url(member), membership_form(member, "treasury", role=Role.ADMIN)
    )

    assert response.status_code == 200
    assert "Un administrateur détient tous les droits" in response.content.decode()
    member.refresh_from_db()
    assert (member.role, rights_of(member)) == (Role.COLLABORATOR, ["documents"])


def test_a_refusal_only_the_service_sees_comes_back_as_a_message_not_an_error(
    support, monkeypatch, django_capture_on_commit_callbacks
):
    company = CompanyFactory()
    member = MembershipFactory(company=company, role=Role.COLLABORATOR)
    # the form's check passes, the service's refuses: as if the right could no longer be given
    # between form and service (a right that moves money is only proposed, never applied here)
    monkeypatch.setattr("teams.admin.forms.rights_diff", lambda **kwargs: None)
    monkeypatch.setattr(
        "teams.services.rights.ungrantable_refusal",
        lambda company, rights, held=(): "Ce droit ne peut pas être accordé dans votre entreprise.",
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = support.post(
            member_url(member), membership_form(member, "treasury", status="suspended")
        )

    assert response.status_code == 302
    assert any("Ce droit ne peut pas être accordé" in m for m in messages_of(response))
    member.refresh_from_db()
    # the whole save was rolled back, the status with the rights
    assert (member.status, rights_of(member)) == (MembershipStatus.ACTIVE, [])
    assert mail.outbox == []


def test_the_user_and_company_of_a_membership_are_read_only(support, collaborator_with):
    member = collaborator_with()
    someone = UserFactory()
    elsewhere = CompanyFactory()

    support.post(member_url(member), membership_form(member, user=someone.pk, company=elsewhere.pk))

    member.refresh_from_db()
    assert (member.user_id, member.company_id) == (member.user.pk, member.company.pk)
    assert member.user != someone and member.company != elsewhere


def test_support_adds_a_member_through_the_service(support, admin):
    newcomer = UserFactory()

    response = support.post(
        reverse("admin:companies_membership_add"),
        {
            "user": newcomer.pk,
            "company": admin.company.pk,
            "role": Role.COLLABORATOR,
            "status": MembershipStatus.ACTIVE,
            "reason": REASON,
        },
    )

    assert response.status_code == 302
    added = Membership.objects.get(user=newcomer, company=admin.company)
    assert added.role == Role.COLLABORATOR
    [event] = events(admin.company, Action.SUPPORT_MEMBERSHIP_CHANGED)
    assert (event.target_id, event.data["created"]) == (str(added.pk), True)


def test_a_suspension_on_the_member_page_closes_the_signed_authorisation(
    support, admin, collaborator_with
):
    member = signed_member(admin, collaborator_with, Right.DOCUMENTS)

    support.post(member_url(member), membership_form(member, status=MembershipStatus.SUSPENDED))

    [authorisation] = AccessAuthorisation.objects.filter(subject_email=member.user.email)
    assert authorisation.closed_reason == ClosingReason.MEMBER_SUSPENDED


def test_a_suspension_on_the_company_page_closes_the_signed_authorisation(
    support, admin, collaborator_with
):
    member = signed_member(admin, collaborator_with, Right.DOCUMENTS)
    data = company_form(admin.company, {member.pk: {"status": MembershipStatus.SUSPENDED}})

    response = support.post(
        reverse("admin:companies_company_change", args=[admin.company.pk]), data
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.status == MembershipStatus.SUSPENDED
    [authorisation] = AccessAuthorisation.objects.filter(subject_email=member.user.email)
    assert authorisation.closed_reason == ClosingReason.MEMBER_SUSPENDED


def test_a_handover_on_the_company_page_waits_for_the_successors_approval(
    support, admin, collaborator_with
):
    successor = collaborator_with()
    second_agent = Client()
    second_agent.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = reverse("admin:companies_company_change", args=[admin.company.pk])

    at_once = support.post(
        page,
        company_form(
            admin.company,
            {admin.pk: {"role": Role.COLLABORATOR}, successor.pk: {"role": Role.ADMIN}},
        ),
    )
    support.post(page, company_form(admin.company, {successor.pk: {"role": Role.ADMIN}}))
    second_agent.post(
        reverse("admin:backoffice_proposal_approve", args=[Proposal.objects.get().pk])
    )
    then = support.post(page, company_form(admin.company, {admin.pk: {"role": Role.COLLABORATOR}}))

    assert at_once.status_code == 302
    assert any("administrateur" in m for m in messages_of(at_once))
    assert then.status_code == 302
    admin.refresh_from_db()
    successor.refresh_from_db()
    assert (admin.role, successor.role) == (Role.COLLABORATOR, Role.ADMIN)


def test_a_member_on_the_company_page_stays_the_same_person(support, admin, collaborator_with):
    member = collaborator_with()
    someone = UserFactory()
    data = company_form(admin.company, {member.pk: {"user": someone.pk}})

    response = support.post(
        reverse("admin:companies_company_change", args=[admin.company.pk]), data
    )

    assert response.status_code == 200
    assert "Un membre reste la même personne" in response.content.decode()
    member.refresh_from_db()
    assert member.user != someone


def test_a_member_is_added_on_the_company_page_through_the_service(support, admin):
    newcomer = UserFactory()
    data = company_form(admin.company, {})
    n = data["memberships-TOTAL_FORMS"]
    data.update(
        {
            "memberships-TOTAL_FORMS": n + 1,
            f"memberships-{n}-company": admin.company.pk,
            f"memberships-{n}-user": newcomer.pk,
            f"memberships-{n}-role": Role.COLLABORATOR,
            f"memberships-{n}-status": MembershipStatus.ACTIVE,
        }
    )

    response = support.post(
        reverse("admin:companies_company_change", args=[admin.company.pk]), data
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    added = Membership.objects.get(user=newcomer, company=admin.company)
    [event] = events(admin.company, Action.SUPPORT_MEMBERSHIP_CHANGED)
    assert event.target_id == str(added.pk)


def test_a_removal_in_the_admin_closes_the_signed_authorisation(support, admin, collaborator_with):
    member = signed_member(admin, collaborator_with, Right.DOCUMENTS)

    response = support.post(
        reverse("admin:companies_membership_delete", args=[member.pk]),
        {"post": "yes", "reason": REASON},
    )

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=member.pk).exists()
    [authorisation] = AccessAuthorisation.objects.filter(subject_email=member.user.email)
    assert authorisation.closed_reason == ClosingReason.MEMBER_REMOVED


def test_a_bulk_removal_in_the_admin_goes_through_the_service(support, admin, collaborator_with):
    first, second = collaborator_with(), collaborator_with()

    support.post(
        reverse("admin:companies_membership_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [first.pk, second.pk],
            "post": "yes",
            "reason": REASON,
        },
    )

    assert not Membership.objects.filter(pk__in=[first.pk, second.pk]).exists()
    assert len(events(admin.company, Action.SUPPORT_MEMBERSHIP_DELETED)) == 2


def test_a_rights_change_of_support_reads_as_such_in_its_list(support, collaborator_with):
    member = collaborator_with()
    support.post(member_url(member), membership_form(member, "treasury"))

    page = support.get(
        reverse("admin:teams_rightschange_changelist"), {"origin": "support"}
    ).content.decode()

    assert "Support de la banque" in page
