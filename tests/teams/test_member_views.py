import time

import pytest
from django.core import mail
from django.urls import reverse

from audit.models import Action, AuditEvent
from companies.models import Membership, MembershipStatus, Role
from core import sms
from otp.models import AccessAuthorisation, AuthorisationKind
from permissions.catalogue import Right
from teams.models import RightsChange
from tests.factories import GrantFactory, MembershipFactory
from tests.otp.factories import last_code, wrong_code

pytestmark = pytest.mark.django_db


def member_url(member):
    return reverse("teams:member", args=[member.company_id, member.pk])


def url(name, member, *args):
    return reverse(f"teams:{name}", args=[member.company_id, member.pk, *args])


def rights_of(member):
    return sorted(member.grants.values_list("right", flat=True))


def test_the_member_page_shows_the_person_and_their_rights(admin_client, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS)

    response = admin_client.get(member_url(member))

    assert response.status_code == 200
    assert member.user.email in response.text
    assert "Collaborateur" in response.text
    assert "Membre depuis" in response.text
    assert 'value="documents" id="id_rights_documents"' in response.text
    assert "checked" in response.text.split('id="id_rights_documents"')[1].split(">")[0]


def test_the_team_page_links_to_each_member(admin_client, admin, collaborator_with):
    member = collaborator_with()

    response = admin_client.get(reverse("teams:team", args=[admin.company.pk]))

    assert member_url(member) in response.text


def test_a_right_the_company_cannot_hold_is_disabled_with_the_reason(client_for, other_admin):
    member = MembershipFactory.create(company=other_admin.company)

    response = client_for(other_admin.user).get(member_url(member))

    assert "ne détient aucun contrat concerné" in response.text


def test_an_administrators_page_says_they_hold_every_right_and_offers_no_edit(admin_client, admin):
    other = MembershipFactory.create(company=admin.company, role=Role.ADMIN)

    response = admin_client.get(member_url(other))

    assert "détient tous les droits" in response.text
    assert "désignés par le support" in response.text
    assert url("rights_review", other) not in response.text


def test_a_collaborator_gets_403_on_a_member_page(client_for, collaborator_with):
    member = collaborator_with(*Right)

    response = client_for(member.user).get(member_url(member))

    assert response.status_code == 403


def test_another_companys_administrator_gets_404(client_for, other_admin, collaborator_with):
    member = collaborator_with()

    response = client_for(other_admin.user).get(member_url(member))

    assert response.status_code == 404


def test_a_member_of_another_company_looks_missing(admin_client, admin, other_admin):
    response = admin_client.get(reverse("teams:member", args=[admin.company.pk, other_admin.pk]))

    assert response.status_code == 404


def test_the_member_page_keeps_a_bounded_number_of_queries(
    admin_client, collaborator_with, django_assert_max_num_queries
):
    member = collaborator_with(Right.DOCUMENTS, Right.TREASURY, Right.BANK_DETAILS)

    # the session, the user, the administrator's membership and rights (3); the member with
    # their rights, their signed authorisations, their latest events (3); the session saved (3)
    with django_assert_max_num_queries(9):
        response = admin_client.get(member_url(member))

    assert response.status_code == 200


def test_the_review_shows_what_is_added_and_removed_and_changes_nothing(
    admin_client, collaborator_with
):
    member = collaborator_with(Right.DOCUMENTS, Right.TREASURY)

    response = admin_client.post(
        url("rights_review", member), {"rights": [Right.DOCUMENTS, Right.BANK_DETAILS]}
    )

    assert response.status_code == 200
    added = response.text.split('class="rights-added"')[1].split("</dd>")[0]
    removed = response.text.split('class="rights-removed"')[1].split("</dd>")[0]
    assert "Effectuer un changement de RIB" in added
    assert "Suivi de trésorerie" in removed
    assert "Continuer vers la signature" in response.text
    assert rights_of(member) == ["documents", "treasury"]


def test_a_removal_is_confirmed_then_applied_at_once_without_a_code(
    admin_client, collaborator_with
):
    member = collaborator_with(Right.DOCUMENTS, Right.TREASURY)

    review = admin_client.post(url("rights_review", member), {"rights": [Right.DOCUMENTS]})
    assert "Confirmer le retrait des droits" in review.text
    assert rights_of(member) == ["documents", "treasury"]
    response = admin_client.post(url("rights_remove", member), {"rights": [Right.DOCUMENTS]})

    assert response.status_code == 302
    assert rights_of(member) == ["documents"]
    assert AuditEvent.objects.filter(action=Action.RIGHTS_REMOVED).count() == 1


def test_removing_every_right_is_allowed(admin_client, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS)

    admin_client.post(url("rights_remove", member), {})

    assert rights_of(member) == []


def test_an_addition_needs_a_code_and_the_right_one_applies_the_new_set(
    admin_client, collaborator_with
):
    member = collaborator_with(Right.DOCUMENTS)

    response = admin_client.post(
        url("rights_request", member), {"rights": [Right.DOCUMENTS, Right.BANK_DETAILS]}
    )
    change = RightsChange.objects.get(membership=member)
    assert response.url == url("rights_sign", member, change.pk)
    page = admin_client.get(response.url)
    assert "Recevoir le code par SMS" in page.text
    assert rights_of(member) == ["documents"]
    admin_client.post(url("rights_send_code", member, change.pk))
    signed = admin_client.post(url("rights_sign", member, change.pk), {"code": last_code()})

    assert signed.status_code == 302
    assert rights_of(member) == ["bank_details", "documents"]
    authorisation = AccessAuthorisation.objects.get(rights_change=change)
    assert authorisation.kind == AuthorisationKind.RIGHTS_CHANGE
    assert authorisation.rights == ["documents", "bank_details"]


def test_a_wrong_code_on_the_page_says_how_many_tries_remain(admin_client, collaborator_with):
    member = collaborator_with()
    admin_client.post(url("rights_request", member), {"rights": [Right.TREASURY]})
    change = RightsChange.objects.get(membership=member)
    admin_client.post(url("rights_send_code", member, change.pk))

    response = admin_client.post(
        url("rights_sign", member, change.pk), {"code": wrong_code(last_code())}
    )

    assert "Il vous reste 4 essai(s)" in response.text
    assert rights_of(member) == []


def test_asking_for_a_code_long_after_login_asks_for_the_password(
    admin_client, collaborator_with, settings
):
    member = collaborator_with()
    admin_client.post(url("rights_request", member), {"rights": [Right.TREASURY]})
    change = RightsChange.objects.get(membership=member)
    session = admin_client.session
    session["portal_login_at"] = int(time.time()) - settings.SIGNING_RECENT_LOGIN_SECONDS - 60
    session.save()

    response = admin_client.post(url("rights_send_code", member, change.pk))

    assert response.url.startswith(reverse("accounts:login") + "?next=")
    assert sms.outbox == []


def test_the_member_gets_an_email_with_their_new_rights(
    admin_client, collaborator_with, eager_tasks, django_capture_on_commit_callbacks
):
    member = collaborator_with(Right.DOCUMENTS, Right.TREASURY)

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url("rights_remove", member), {"rights": [Right.TREASURY]})

    [message] = mail.outbox
    assert message.to == [member.user.email]
    assert "Accéder au service Suivi de trésorerie" in message.body


def test_a_suspended_member_is_told_so_on_their_next_request(
    admin_client, client_for, collaborator_with
):
    member = collaborator_with(Right.DOCUMENTS)
    member_client = client_for(member.user)
    home = reverse("portal:company_home", args=[member.company_id])
    assert member_client.get(home).status_code == 200

    confirm = admin_client.get(url("member_suspend", member))
    assert "Confirmer la suspension" in confirm.text
    admin_client.post(url("member_suspend", member))

    member.refresh_from_db()
    assert member.status == MembershipStatus.SUSPENDED
    refused = member_client.get(home)
    assert refused.status_code == 403
    assert "Accès suspendu" in refused.text


def test_a_reactivated_member_gets_their_access_back(admin_client, client_for, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS, status=MembershipStatus.SUSPENDED)

    admin_client.post(url("member_reactivate", member))

    home = reverse("portal:company_home", args=[member.company_id])
    assert client_for(member.user).get(home).status_code == 200


def test_removing_a_member_after_confirmation(admin_client, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS)

    assert "Confirmer le retrait" in admin_client.get(url("member_remove", member)).text
    response = admin_client.post(url("member_remove", member))

    assert response.url == reverse("teams:team", args=[member.company_id])
    assert not Membership.objects.filter(pk=member.pk).exists()


def test_an_administrator_cannot_remove_themselves_from_the_page(admin_client, admin):
    MembershipFactory.create(company=admin.company, role=Role.ADMIN)

    response = admin_client.post(url("member_remove", admin), follow=True)

    assert "Vous ne pouvez pas vous retirer vous-même" in response.text
    assert Membership.objects.filter(pk=admin.pk).exists()


def test_an_administrator_cannot_suspend_themselves_from_the_page(admin_client, admin):
    response = admin_client.post(url("member_suspend", admin), follow=True)

    assert "Vous ne pouvez pas suspendre votre propre accès" in response.text
    admin.refresh_from_db()
    assert admin.status == MembershipStatus.ACTIVE


def test_a_collaborator_cannot_suspend_anyone(client_for, admin, collaborator_with):
    member = collaborator_with(*Right)

    response = client_for(member.user).post(url("member_suspend", admin))

    assert response.status_code == 403


def test_a_held_right_the_company_can_no_longer_grant_can_still_be_removed(client_for, other_admin):
    member = MembershipFactory.create(company=other_admin.company)
    GrantFactory.create(membership=member, right=Right.FUND_OPERATIONS)

    response = client_for(other_admin.user).get(member_url(member))

    field = response.text.split('id="id_rights_fund_operations"')[1].split(">")[0]
    assert "disabled" not in field
    assert "checked" in field
