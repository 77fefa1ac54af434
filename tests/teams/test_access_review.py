import datetime

import pytest
from django.urls import reverse

from accounts.models import User
from audit.models import Action, AuditEvent
from companies.models import MembershipStatus, Role
from permissions.catalogue import Right
from permissions.models import Grant
from teams.models import RightsChange, RightsChangeStatus
from tests.factories import GrantFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def review_url(company):
    return reverse("teams:access_review", args=[company.pk])


def csv_url(company):
    return reverse("teams:access_review_csv", args=[company.pk])


def row_of(html, membership):
    """The table row of one member, as the page renders it."""
    start = html.index(f'<tr id="member-{membership.pk}">')
    return html[start : html.index("</tr>", start)]


def cells(row):
    return row.count('<span class="badge badge-success">Oui</span>'), row.count(
        '<span class="muted">Non</span>'
    )


def test_shows_the_review_to_an_administrator(admin_client, admin, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS)

    response = admin_client.get(review_url(admin.company))

    assert response.status_code == 200
    assert "<h1>Revue des accès</h1>" in response.text
    assert member.user.email in response.text
    assert admin.user.email in response.text
    assert csv_url(admin.company) in response.text


def test_refuses_a_collaborator(client_for, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS, Right.TREASURY)

    response = client_for(member.user).get(review_url(member.company))

    assert response.status_code == 403
    assert "administrateurs" in response.text


def test_another_companys_review_looks_missing(client_for, other_admin, company):
    client = client_for(other_admin.user)

    assert client.get(review_url(company)).status_code == 404
    assert client.get(csv_url(company)).status_code == 404


def test_mes_equipes_links_to_the_review(admin_client, admin):
    response = admin_client.get(reverse("teams:team", args=[admin.company.pk]))

    assert f'href="{review_url(admin.company)}"' in response.text


def test_a_collaborator_holds_exactly_the_rights_signed_for_them(
    admin_client, admin, collaborator_with
):
    member = collaborator_with(Right.DOCUMENTS, Right.BANK_DETAILS)

    row = row_of(admin_client.get(review_url(admin.company)).text, member)

    assert cells(row) == (2, 4)
    assert "Droits sensibles" in row  # the change of RIB moves money
    assert "Retirer tous les droits" in row


def test_an_administrator_holds_every_right_the_company_can_hold(admin_client, admin):
    row = row_of(admin_client.get(review_url(admin.company)).text, admin)

    assert cells(row) == (6, 0)
    assert "désignés par la banque" in row
    assert "Retirer tous les droits" not in row


def test_an_administrator_does_not_hold_rights_on_contracts_the_company_lacks(
    client_for, other_admin
):
    # no contract at all: neither the CLUB fund operations nor the CBM/LOCFI early buyout
    response = client_for(other_admin.user).get(review_url(other_admin.company))

    assert cells(row_of(response.text, other_admin)) == (4, 2)


def test_a_collaborator_without_rights_has_nothing_to_remove(
    admin_client, admin, collaborator_with
):
    member = collaborator_with()

    row = row_of(admin_client.get(review_url(admin.company)).text, member)

    assert cells(row) == (0, 6)
    assert "Droits sensibles" not in row
    assert "Retirer tous les droits" not in row


def test_money_rights_are_flagged_in_their_column(admin_client, admin):
    response = admin_client.get(review_url(admin.company))

    assert response.text.count("Engage des fonds</span></th>") == 3
    assert ">Gestion des fonds<br>" in response.text
    assert ">Changement de RIB<br>" in response.text
    assert ">Rachat anticipé<br>" in response.text


def test_shows_last_login_last_action_and_when_rights_changed(
    admin_client, admin, collaborator_with
):
    member = collaborator_with(Right.DOCUMENTS)
    User.objects.filter(pk=member.user_id).update(
        last_login=datetime.datetime(2025, 3, 4, 8, 5, tzinfo=UTC)
    )
    Grant.objects.filter(membership=member).update(
        granted_at=datetime.datetime(2025, 1, 10, 9, 0, tzinfo=UTC)
    )
    AuditEvent.objects.create(
        occurred_at=datetime.datetime(2025, 3, 4, 8, 30, tzinfo=UTC),
        action=Action.DOCUMENT_DOWNLOADED,
        actor=member.user,
        company=admin.company,
    )

    row = row_of(admin_client.get(review_url(admin.company)).text, member)

    # Europe/Paris: UTC+1 in winter
    assert "10/01/2025 10:00" in row
    assert "04/03/2025 09:05" in row
    assert "04/03/2025 09:30" in row


def test_last_action_is_the_latest_event_in_this_company_only(
    admin_client, admin, collaborator_with, other_company
):
    member = collaborator_with()
    for when, company in (
        (datetime.datetime(2025, 2, 1, 12, 0, tzinfo=UTC), admin.company),
        (datetime.datetime(2025, 2, 3, 12, 0, tzinfo=UTC), admin.company),
        (datetime.datetime(2025, 2, 9, 12, 0, tzinfo=UTC), other_company),
    ):
        AuditEvent.objects.create(
            occurred_at=when, action=Action.LOGIN, actor=member.user, company=company
        )

    row = row_of(admin_client.get(review_url(admin.company)).text, member)

    assert "03/02/2025 13:00" in row
    assert "09/02/2025" not in row
    assert "01/02/2025" not in row


def test_a_later_removal_is_when_rights_last_changed(admin_client, admin, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS)
    Grant.objects.filter(membership=member).update(
        granted_at=datetime.datetime(2025, 1, 10, 9, 0, tzinfo=UTC)
    )
    removed_at = datetime.datetime(2025, 6, 2, 14, 15, tzinfo=UTC)
    RightsChange.objects.create(
        membership=member,
        requested_by=admin.user,
        rights=[Right.DOCUMENTS.value],
        previous_rights=[Right.DOCUMENTS.value, Right.TREASURY.value],
        status=RightsChangeStatus.APPLIED,
        created_at=removed_at,
        applied_at=removed_at,
    )

    row = row_of(admin_client.get(review_url(admin.company)).text, member)

    assert "02/06/2025 16:15" in row  # summer: UTC+2
    assert "10/01/2025" not in row


def test_the_csv_is_exact(admin_client, admin, collaborator_with):
    hostile = UserFactory.create(
        first_name='=HYPERLINK("http://x.example")',
        last_name="Pirate",
        email="-pirate@entreprise.example",
    )
    member = collaborator_with(
        Right.DOCUMENTS, Right.BANK_DETAILS, user=hostile, status=MembershipStatus.SUSPENDED
    )
    Grant.objects.filter(membership=member).update(
        granted_at=datetime.datetime(2025, 1, 10, 9, 0, tzinfo=UTC)
    )
    User.objects.filter(pk=hostile.pk).update(
        last_login=datetime.datetime(2025, 7, 14, 22, 30, tzinfo=UTC)
    )
    User.objects.filter(pk=admin.user_id).update(last_login=None)

    response = admin_client.get(csv_url(admin.company))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="revue-des-acces-')
    assert response["Cache-Control"] == "private, no-store"
    assert response.streaming
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig").split("\r\n") == [
        "Nom;Adresse e-mail;Rôle;Statut;Documents;Gestion des fonds (engage des fonds);"
        "Demandes de l’entreprise;"
        "Suivi de trésorerie;Changement de RIB (engage des fonds);"
        "Rachat anticipé (engage des fonds);Droits qui engagent des fonds;Droits modifiés le;"
        "Dernière connexion;Dernière action dans l’espace",
        f"Claire Durand;{admin.user.email};Administrateur;Actif;Oui;Oui;Oui;Oui;Oui;Oui;Oui;;;",
        '"\'=HYPERLINK(""http://x.example"") Pirate";\'-pirate@entreprise.example;'
        "Collaborateur;Suspendu;Oui;Non;Non;Non;Oui;Non;Oui;10/01/2025 10:00;15/07/2025 00:30;",
        "",
    ]


def test_the_export_is_audited(admin_client, admin, collaborator_with):
    collaborator_with(Right.DOCUMENTS)

    b"".join(admin_client.get(csv_url(admin.company)).streaming_content)

    event = AuditEvent.objects.get(company=admin.company, action=Action.DOCUMENT_DOWNLOADED)
    assert event.actor_id == admin.user_id
    assert event.data == {"export": "access_review", "members": 2}


def test_a_collaborator_cannot_export_the_review(client_for, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS)

    response = client_for(member.user).get(csv_url(member.company))

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action=Action.DOCUMENT_DOWNLOADED).exists()


def test_removing_every_right_in_one_click_asks_to_confirm_then_returns_to_the_review(
    admin_client, admin, collaborator_with
):
    member = collaborator_with(Right.DOCUMENTS, Right.BANK_DETAILS)
    page = admin_client.get(review_url(admin.company)).text
    action = reverse("teams:rights_review", args=[admin.company.pk, member.pk])
    assert f'action="{action}"' in row_of(page, member)

    confirmation = admin_client.post(action, {"back": "access_review"})

    assert confirmation.status_code == 200
    assert "Confirmer le retrait des droits" in confirmation.text
    assert f'href="{review_url(admin.company)}">Annuler' in confirmation.text
    assert Grant.objects.filter(membership=member).count() == 2  # nothing changed yet

    response = admin_client.post(
        reverse("teams:rights_remove", args=[admin.company.pk, member.pk]),
        {"back": "access_review"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == review_url(admin.company)
    assert "Droits retirés : Documents, Changement de RIB." in response.text
    assert not Grant.objects.filter(membership=member).exists()
    event = AuditEvent.objects.get(company=admin.company, action=Action.RIGHTS_REMOVED)
    assert event.actor_id == admin.user_id
    assert event.data["rights"] == []
    assert cells(row_of(response.text, member)) == (0, 6)


def test_a_removal_started_elsewhere_still_returns_to_the_member(
    admin_client, admin, collaborator_with
):
    member = collaborator_with(Right.DOCUMENTS)

    response = admin_client.post(
        reverse("teams:rights_remove", args=[admin.company.pk, member.pk]),
        {"back": "https://evil.example/"},
    )

    assert response.url == reverse("teams:member", args=[admin.company.pk, member.pk])


def test_an_administrators_rights_cannot_be_removed_from_the_review(admin_client, admin):
    other = MembershipFactory.create(company=admin.company, role=Role.ADMIN)

    response = admin_client.post(
        reverse("teams:rights_review", args=[admin.company.pk, other.pk]),
        {"back": "access_review"},
        follow=True,
    )

    assert "désignés par le support de la banque" in response.text


@pytest.mark.parametrize("members", [5, 30])
def test_keeps_a_bounded_number_of_queries_whatever_the_team_size(
    admin_client, admin, members, django_assert_max_num_queries
):
    for _ in range(members):
        member = MembershipFactory.create(company=admin.company, role=Role.COLLABORATOR)
        GrantFactory.create(membership=member, right=Right.DOCUMENTS)
        GrantFactory.create(membership=member, right=Right.BANK_DETAILS)
        AuditEvent.objects.create(
            occurred_at=datetime.datetime(2025, 3, 4, 8, 30, tzinfo=UTC),
            action=Action.LOGIN,
            actor=member.user,
            company=admin.company,
        )

    # the session, the user, their membership and its grants (4); the page of members with
    # their rights, activity and counts, the contracts (2); the session saved (3)
    with django_assert_max_num_queries(10):
        response = admin_client.get(review_url(admin.company))
    with django_assert_max_num_queries(8):  # the export's audit event instead of the page
        export = admin_client.get(csv_url(admin.company))
        content = b"".join(export.streaming_content)

    assert response.text.count("Retirer tous les droits<span") == members
    assert content.decode("utf-8-sig").count("\r\n") == members + 2
