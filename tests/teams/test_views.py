import pytest
from django.urls import reverse

from companies.models import MembershipStatus, Role
from invitations.models import InvitationStatus
from permissions.catalogue import Right
from tests.factories import GrantFactory, MembershipFactory, UserFactory
from tests.invitations.factories import InvitationFactory

pytestmark = pytest.mark.django_db


def team_url(company):
    return reverse("teams:team", args=[company.pk])


def test_shows_the_team_page_to_an_administrator(admin_client, admin):
    response = admin_client.get(team_url(admin.company))

    assert response.status_code == 200
    assert "Mes équipes" in response.text
    assert "Inviter un collaborateur" in response.text
    assert reverse("invitations:create", args=[admin.company.pk]) in response.text


def test_lists_members_with_their_rights_as_short_labels(admin_client, admin, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS, Right.TREASURY)

    response = admin_client.get(team_url(admin.company))

    assert member.user.email in response.text
    assert "Documents" in response.text
    assert "Suivi de trésorerie" in response.text
    assert "Collaborateur" in response.text


def test_shows_all_rights_for_an_administrator_member(admin_client, admin):
    response = admin_client.get(team_url(admin.company))

    assert admin.user.email in response.text
    assert "Tous les droits" in response.text


def test_each_member_links_to_their_own_page(admin_client, admin, collaborator_with):
    member = collaborator_with()

    response = admin_client.get(team_url(admin.company))

    member_url = reverse("teams:member", args=[admin.company.pk, member.pk])
    assert f'<a href="{member_url}">{member.user.get_full_name()}</a>' in response.text


def test_a_collaborators_rights_show_in_catalogue_order_with_their_full_label(
    admin_client, admin, collaborator_with
):
    collaborator_with(Right.TREASURY, Right.DOCUMENTS)

    response = admin_client.get(team_url(admin.company))

    documents = f'title="{Right.DOCUMENTS.label}">Documents</span>'
    treasury = f'title="{Right.TREASURY.label}">Suivi de trésorerie</span>'
    assert documents in response.text
    assert response.text.index(documents) < response.text.index(treasury)


def test_a_collaborator_without_rights_reads_no_right(admin_client, admin, collaborator_with):
    collaborator_with()

    response = admin_client.get(team_url(admin.company))

    assert '<span class="muted">Aucun droit</span>' in response.text


def test_a_suspended_member_is_badged_as_suspended(admin_client, admin, collaborator_with):
    collaborator_with(status=MembershipStatus.SUSPENDED)

    response = admin_client.get(team_url(admin.company))

    assert '<span class="badge badge-muted">Suspendu</span>' in response.text


def test_does_not_list_another_companys_members(admin_client, admin, other_admin):
    response = admin_client.get(team_url(admin.company))

    assert other_admin.user.email not in response.text


def test_lists_open_invitations_with_their_status_and_actions(admin_client, admin):
    awaiting = InvitationFactory.create(company=admin.company, invited_by=admin.user)
    sent = InvitationFactory.create(
        company=admin.company,
        invited_by=admin.user,
        email="envoyee@partenaire.example",
        status=InvitationStatus.FAILED,
    )

    response = admin_client.get(team_url(admin.company))

    assert awaiting.email in response.text
    assert sent.email in response.text
    assert "En attente de signature" in response.text
    assert "Poursuivre la signature" in response.text
    assert reverse("invitations:sign", args=[admin.company.pk, awaiting.pk]) in response.text
    assert reverse("invitations:resend", args=[admin.company.pk, sent.pk]) in response.text
    assert reverse("invitations:revoke", args=[admin.company.pk, awaiting.pk]) in response.text


def test_does_not_list_closed_invitations(admin_client, admin):
    InvitationFactory.create(
        company=admin.company,
        invited_by=admin.user,
        email="revoquee@partenaire.example",
        status=InvitationStatus.REVOKED,
    )

    response = admin_client.get(team_url(admin.company))

    assert "revoquee@partenaire.example" not in response.text
    assert "Aucune invitation en cours." in response.text


def test_answers_404_to_another_companys_administrator(client_for, admin, other_admin):
    response = client_for(other_admin.user).get(team_url(admin.company))

    assert response.status_code == 404


def test_answers_403_to_a_collaborator_of_the_company(client_for, collaborator_with):
    member = collaborator_with(*Right)

    response = client_for(member.user).get(team_url(member.company))

    assert response.status_code == 403


def test_sends_an_anonymous_visitor_to_the_login_page(client, company):
    response = client.get(team_url(company))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_renders_only_the_invitation_table_for_htmx(admin_client, admin):
    InvitationFactory.create(company=admin.company, invited_by=admin.user)

    response = admin_client.get(team_url(admin.company), headers={"HX-Request": "true"})

    assert 'id="invitation-table"' in response.text
    assert "<html" not in response.text


def test_keeps_a_bounded_number_of_queries_with_many_members(
    admin_client, admin, django_assert_max_num_queries
):
    for n in range(10):
        member = MembershipFactory.create(company=admin.company, role=Role.COLLABORATOR)
        GrantFactory.create(membership=member, right=Right.DOCUMENTS)
        GrantFactory.create(membership=member, right=Right.TREASURY)
        InvitationFactory.create(
            company=admin.company,
            invited_by=UserFactory.create(),
            email=f"invite{n}@partenaire.example",
            rights=[Right.DOCUMENTS.value, Right.BANK_DETAILS.value],
        )

    # the navigation reads the company's contract kinds once, to show the sections it opens;
    # the members with their rights and counts, then the invitations: one query each
    with django_assert_max_num_queries(10):
        response = admin_client.get(team_url(admin.company))

    assert response.status_code == 200
    assert all(f"invite{n}@partenaire.example" in response.text for n in range(10))
