"""Access authorisations as versioned documents: numbered per person and company, closed by a
revocation, downloadable by the company's administrators, the person named and support only."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import Action, AuditEvent
from companies.models import Membership
from invitations import services as invitations
from otp.models import AccessAuthorisation, AuthorisationKind, ClosingReason
from permissions.catalogue import Right
from teams import services as teams
from tests.conftest import logged_in_client
from tests.factories import UserFactory
from tests.invitations.factories import IP, dispatch, request_code, sign, signed
from tests.otp.authorisations import signed_authorisation
from tests.otp.factories import NOW
from tests.teams.factories import request_change
from tests.teams.factories import request_code as request_change_code
from tests.teams.factories import sign as sign_change

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
EMAIL = "lea.martin@partenaire.example"


def versions(company, email: str = EMAIL) -> list[tuple[int, str, str]]:
    rows = AccessAuthorisation.objects.filter(company=company, subject_email__iexact=email)
    return [
        (row.version, row.kind, row.closed_reason)
        for row in rows.order_by("version").only("version", "kind", "closed_reason")
    ]


def signed_change(admin: Membership, member: Membership, *rights: str, now: datetime.datetime):
    change = request_change(admin, member, *rights, now=now)
    request_change_code(admin, change, now=now)
    return sign_change(admin, change, now=now)


@pytest.fixture
def joined(admin) -> Membership:
    """Léa, invited with documents (version 1), who accepted."""
    invitation = signed(admin, rights=(Right.DOCUMENTS,))
    token = dispatch(invitation)
    user = UserFactory.create(email=EMAIL, first_name="Léa", last_name="Martin")
    return invitations.invitation_accept(token=token, user=user, ip_address=IP, now=NOW)


def test_an_invitation_then_two_rights_changes_are_versions_1_2_3(admin, joined):
    signed_change(admin, joined, Right.DOCUMENTS, Right.TREASURY, now=NOW + HOUR)
    signed_change(
        admin, joined, Right.DOCUMENTS, Right.TREASURY, Right.BANK_DETAILS, now=NOW + 2 * HOUR
    )

    assert versions(admin.company) == [
        (1, AuthorisationKind.INVITATION, ClosingReason.SUPERSEDED),
        (2, AuthorisationKind.RIGHTS_CHANGE, ClosingReason.SUPERSEDED),
        (3, AuthorisationKind.RIGHTS_CHANGE, ""),
    ]
    latest = AccessAuthorisation.objects.get(company=admin.company, version=3)
    assert latest.rights == [Right.DOCUMENTS, Right.TREASURY, Right.BANK_DETAILS]


def test_versions_are_counted_per_company(admin, other_admin, joined):
    other_admin.user.mobile = "+33612345699"
    other_admin.user.save(update_fields=["mobile"])

    theirs = signed_authorisation(other_admin, email=EMAIL)

    assert theirs.version == 1
    assert versions(admin.company) == [(1, AuthorisationKind.INVITATION, "")]


def test_removing_the_member_closes_their_open_authorisation(admin, joined):
    teams.member_remove(
        membership_id=joined.pk, company=admin.company, actor=admin.user, ip_address=IP
    )

    assert versions(admin.company) == [
        (1, AuthorisationKind.INVITATION, ClosingReason.MEMBER_REMOVED)
    ]


def test_suspending_the_member_closes_it_and_reactivating_opens_nothing(admin, joined):
    teams.member_suspend(
        membership_id=joined.pk, company=admin.company, actor=admin.user, ip_address=IP
    )
    teams.member_reactivate(
        membership_id=joined.pk, company=admin.company, actor=admin.user, ip_address=IP
    )

    closed = AccessAuthorisation.objects.get(company=admin.company, subject_email=EMAIL)
    assert closed.closed_reason == ClosingReason.MEMBER_SUSPENDED
    assert closed.closed_at is not None


def test_removing_rights_without_a_code_closes_the_authorisation(admin, joined):
    signed_change(admin, joined, Right.DOCUMENTS, Right.TREASURY, now=NOW + HOUR)

    teams.rights_remove(
        membership_id=joined.pk,
        company=admin.company,
        actor=admin.user,
        rights=[Right.DOCUMENTS],
        ip_address=IP,
        now=NOW + 2 * HOUR,
    )

    assert versions(admin.company) == [
        (1, AuthorisationKind.INVITATION, ClosingReason.SUPERSEDED),
        (2, AuthorisationKind.RIGHTS_CHANGE, ClosingReason.RIGHTS_REMOVED),
    ]
    assert (
        AccessAuthorisation.objects.get(version=2, company=admin.company).closed_at
        == NOW + 2 * HOUR
    )


def test_a_signature_after_the_removal_is_the_next_version(admin, joined):
    teams.rights_remove(
        membership_id=joined.pk,
        company=admin.company,
        actor=admin.user,
        rights=[],
        ip_address=IP,
        now=NOW + HOUR,
    )

    signed_change(admin, joined, Right.TREASURY, now=NOW + 2 * HOUR)

    assert versions(admin.company) == [
        (1, AuthorisationKind.INVITATION, ClosingReason.RIGHTS_REMOVED),
        (2, AuthorisationKind.RIGHTS_CHANGE, ""),
    ]


def test_revoking_a_signed_invitation_closes_its_authorisation(admin):
    invitation = signed(admin)

    invitations.invitation_revoke(
        invitation_id=invitation.pk,
        company=admin.company,
        actor=admin.user,
        ip_address=IP,
        now=NOW + HOUR,
    )

    assert versions(admin.company) == [
        (1, AuthorisationKind.INVITATION, ClosingReason.INVITATION_REVOKED)
    ]


def test_editing_a_signed_invitations_rights_closes_it_and_the_new_signature_is_version_2(admin):
    invitation = signed(admin, rights=(Right.DOCUMENTS,))

    invitations.invitation_edit_rights(
        invitation_id=invitation.pk,
        company=admin.company,
        actor=admin.user,
        rights=[Right.DOCUMENTS, Right.TREASURY],
        ip_address=IP,
        now=NOW + HOUR,
    )
    request_code(invitation, admin, now=NOW + 2 * HOUR)
    sign(invitation, admin, now=NOW + 2 * HOUR)

    assert versions(admin.company) == [
        (1, AuthorisationKind.INVITATION, ClosingReason.INVITATION_RIGHTS_EDITED),
        (2, AuthorisationKind.INVITATION, ""),
    ]


def test_revoking_an_unsigned_invitation_closes_nothing_of_the_member(admin, joined):
    other = invitations.invitation_create(
        company=admin.company,
        invited_by=admin.user,
        email="autre@partenaire.example",
        first_name="Paul",
        last_name="Autre",
        rights=(Right.DOCUMENTS,),
        ip_address=IP,
        now=NOW,
    )

    invitations.invitation_revoke(
        invitation_id=other.pk, company=admin.company, actor=admin.user, ip_address=IP, now=NOW
    )

    assert versions(admin.company) == [(1, AuthorisationKind.INVITATION, "")]


# who may download


def company_url(authorisation: AccessAuthorisation, company_id: int | None = None) -> str:
    return reverse(
        "teams:authorisation_download",
        args=[company_id or authorisation.company_id, authorisation.pk],
    )


def own_url(authorisation: AccessAuthorisation) -> str:
    return reverse("otp:own_authorisation_download", args=[authorisation.pk])


@pytest.fixture
def authorisation(admin, joined) -> AccessAuthorisation:
    return AccessAuthorisation.objects.get(company=admin.company, subject_email=EMAIL)


def assert_private_pdf(response) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_an_administrator_downloads_it_and_the_download_is_audited(
    admin_client, admin, authorisation
):
    response = admin_client.get(company_url(authorisation))

    assert_private_pdf(response)
    event = AuditEvent.objects.get(action=Action.DOCUMENT_DOWNLOADED, company=admin.company)
    assert event.actor == admin.user
    assert event.target_id == str(authorisation.pk)
    assert event.data["via"] == "company"


def test_the_member_page_lists_the_versions_with_their_links(
    admin_client, admin, joined, authorisation
):
    signed_change(admin, joined, Right.DOCUMENTS, Right.TREASURY, now=NOW + HOUR)

    page = admin_client.get(
        reverse("teams:member", args=[admin.company_id, joined.pk])
    ).content.decode()

    assert "Autorisations d’accès" in page
    assert "Version 1" in page and "Version 2" in page
    assert "Remplacée par une nouvelle version signée" in page
    assert "En vigueur" in page
    assert "2 droits" in page
    assert company_url(authorisation) in page
    assert (
        reverse("teams:authorisation_proof_download", args=[admin.company_id, authorisation.pk])
        in page
    )


def test_mes_equipes_links_a_signed_invitation_to_its_authorisation(admin_client, admin):
    invitation = signed(admin)

    page = admin_client.get(reverse("teams:team", args=[admin.company_id])).content.decode()

    assert company_url(invitation.authorisation) in page


def test_the_member_downloads_their_own_from_mon_compte(joined, authorisation):
    client = logged_in_client(joined.user)

    listing = client.get(reverse("otp:own_authorisations")).content.decode()
    response = client.get(own_url(authorisation))

    assert "Atelier Durand SAS" in listing
    assert own_url(authorisation) in listing
    assert_private_pdf(response)
    assert AuditEvent.objects.get(action=Action.DOCUMENT_DOWNLOADED).data["via"] == "account"


def test_mon_compte_links_to_the_authorisations(joined):
    page = logged_in_client(joined.user).get(reverse("accounts:account")).content.decode()

    assert reverse("otp:own_authorisations") in page


def test_a_collaborator_of_the_company_is_refused_the_company_download(
    collaborator_with, authorisation
):
    client = logged_in_client(collaborator_with(Right.DOCUMENTS).user)

    assert client.get(company_url(authorisation)).status_code == 403


def test_a_collaborator_asking_for_someone_elses_looks_missing(collaborator_with, authorisation):
    client = logged_in_client(collaborator_with(Right.DOCUMENTS).user)

    assert client.get(own_url(authorisation)).status_code == 404
    assert not AuditEvent.objects.filter(action=Action.DOCUMENT_DOWNLOADED).exists()


def test_the_member_cannot_use_the_administrators_link(joined, authorisation):
    client = logged_in_client(joined.user)

    assert client.get(company_url(authorisation)).status_code == 403


def test_another_companys_administrator_gets_404_either_way(other_admin, authorisation):
    client = logged_in_client(other_admin.user)

    assert client.get(company_url(authorisation)).status_code == 404
    assert client.get(company_url(authorisation, other_admin.company_id)).status_code == 404
    assert client.get(own_url(authorisation)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(authorisation):
    response = Client().get(own_url(authorisation))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_support_downloads_it_from_the_django_admin(authorisation):
    staff = UserFactory.create(email="support@banque.example", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    change_page = client.get(
        reverse("admin:otp_accessauthorisation_change", args=[authorisation.pk])
    ).content.decode()
    url = reverse("admin:otp_accessauthorisation_pdf", args=[authorisation.pk])

    response = client.get(url)

    assert url in change_page
    assert_private_pdf(response)
    assert AuditEvent.objects.get(action=Action.DOCUMENT_DOWNLOADED).data["via"] == "support"


def test_a_non_staff_user_cannot_use_the_admin_download(joined, authorisation):
    client = logged_in_client(joined.user)

    response = client.get(reverse("admin:otp_accessauthorisation_pdf", args=[authorisation.pk]))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_without_the_view_permission_is_refused(authorisation):
    staff = UserFactory.create(email="stagiaire@banque.example", is_staff=True)
    client = Client()
    client.force_login(staff)

    response = client.get(reverse("admin:otp_accessauthorisation_pdf", args=[authorisation.pk]))

    assert response.status_code == 403


def test_a_hostile_name_is_escaped_on_the_pages(admin_client, admin):
    invitation = invitations.invitation_create(
        company=admin.company,
        invited_by=admin.user,
        email="pirate@partenaire.example",
        first_name="<script>alert(1)</script>",
        last_name="Pirate",
        rights=(Right.DOCUMENTS,),
        ip_address=IP,
        now=NOW,
    )
    request_code(invitation, admin)
    sign(invitation, admin)
    user = UserFactory.create(email="pirate@partenaire.example", first_name="<script>x</script>")

    listing = logged_in_client(user).get(reverse("otp:own_authorisations")).content.decode()

    assert "<script>" not in listing
    assert "Version 1" in listing
