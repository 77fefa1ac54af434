import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from client_requests.kinds import AttachmentPurpose, DraftReview, RequestKind, RequestStatus
from client_requests.services import bank_attachment_add, request_move
from permissions.catalogue import Right
from tests.client_requests.factories import make_request, new_file, upload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def index_url(company):
    return reverse("client_requests:index", kwargs={"company_id": company.pk})


def detail_url(client_request):
    return reverse(
        "client_requests:detail",
        kwargs={"company_id": client_request.company_id, "request_id": client_request.pk},
    )


def complete_url(client_request):
    return reverse(
        "client_requests:complete",
        kwargs={"company_id": client_request.company_id, "request_id": client_request.pk},
    )


def attachment_url(attachment):
    return reverse(
        "client_requests:attachment",
        kwargs={
            "company_id": attachment.request.company_id,
            "request_id": attachment.request_id,
            "attachment_id": attachment.pk,
        },
    )


def review_url(attachment):
    return reverse(
        "client_requests:review",
        kwargs={
            "company_id": attachment.request.company_id,
            "request_id": attachment.request_id,
            "attachment_id": attachment.pk,
        },
    )


@pytest.fixture
def requester(collaborator_with):
    return collaborator_with(Right.COMPANY_REQUESTS)


@pytest.fixture
def staff():
    return UserFactory.create(is_staff=True, is_superuser=True)


# the follow-up list


def test_the_list_shows_own_requests_and_those_the_rights_cover(
    collaborator_with, requester, client_for
):
    mine = make_request(membership=requester, details={"subject": "Mon crédit-bail"})
    funds = collaborator_with(Right.FUND_OPERATIONS)
    theirs = make_request(
        membership=funds, kind=RequestKind.STATEMENT, details={}, message="Décompte"
    )

    page = client_for(requester.user).get(index_url(requester.company))

    assert page.status_code == 200
    assert detail_url(mine) in page.content.decode()
    assert detail_url(theirs) not in page.content.decode()


def test_the_list_filters_by_status_and_kind(requester, client_for):
    draft = make_request(membership=requester, details={"subject": "Brouillon A"})
    submitted = make_request(membership=requester, details={"subject": "Soumise B"}, submit=True)
    client = client_for(requester.user)

    by_status = client.get(index_url(requester.company), {"status": "submitted"}).content.decode()
    by_kind = client.get(index_url(requester.company), {"kind": "amendment"}).content.decode()

    assert detail_url(submitted) in by_status
    assert detail_url(draft) not in by_status
    assert "Aucune demande ne correspond à ces filtres." in by_kind


def test_the_list_is_paginated_with_a_bounded_query_count(
    requester, client_for, django_assert_max_num_queries
):
    for number in range(25):
        make_request(membership=requester, details={"subject": f"Demande {number}"})
    client = client_for(requester.user)

    with django_assert_max_num_queries(8):
        first = client.get(index_url(requester.company))
    second = client.get(index_url(requester.company), {"page": 2})

    assert first.context["page"].paginator.num_pages == 2
    assert len(second.context["page"].object_list) == 5
    assert "Page 2 sur 2" in second.content.decode()


def test_the_list_of_another_company_is_404(requester, other_company, client_for):
    page = client_for(requester.user).get(index_url(other_company))

    assert page.status_code == 404


def test_an_administrator_sees_every_request(admin, requester, client_for):
    theirs = make_request(membership=requester)

    page = client_for(admin.user).get(index_url(admin.company))

    assert detail_url(theirs) in page.content.decode()


# one request's page


def test_the_author_sees_the_request_with_its_details_and_history(requester, client_for, staff):
    client_request = make_request(
        membership=requester, details={"subject": "Crédit-bail véhicule"}, submit=True
    )
    request_move(
        reason="vérifié avec le client par téléphone",
        client_request=client_request,
        to_status=RequestStatus.IN_REVIEW,
        comment="Nous étudions votre dossier.",
        by=staff,
    )

    page = client_for(requester.user).get(detail_url(client_request))
    html = page.content.decode()

    assert page.status_code == 200
    assert "Souscription d’un nouveau contrat" in html
    assert "Crédit-bail véhicule" in html
    assert "En cours d’instruction" in html
    assert "Nous étudions votre dossier." in html
    assert "par la banque" in html


def test_the_details_read_as_french_labels_with_formatted_values(
    collaborator_with, client_for, company
):
    member = collaborator_with(Right.BANK_DETAILS)
    client_request = make_request(
        membership=member,
        kind=RequestKind.BANK_DETAILS_CHANGE,
        details={
            "holder": "Atelier Durand SAS",
            "iban": "FR7630006000011234567890189",
            "bic": "AGRIFRPP",
            "amount": "12345.5",
            "requested_date": "2025-03-01",
        },
    )

    html = client_for(member.user).get(detail_url(client_request)).content.decode()

    assert "Titulaire du compte" in html
    assert "FR76 3000 6000 0112 3456 7890 189" in html
    assert "12\u202f345,50 €" in html or "12\xa0345,50 €" in html or "12 345,50 €" in html
    assert "01/03/2025" in html


def test_a_holder_of_the_right_sees_another_members_request(
    requester, collaborator_with, client_for
):
    client_request = make_request(membership=requester)
    colleague = collaborator_with(Right.COMPANY_REQUESTS)

    page = client_for(colleague.user).get(detail_url(client_request))

    assert page.status_code == 200


def test_a_member_without_the_right_gets_403_naming_it(requester, collaborator_with, client_for):
    client_request = make_request(membership=requester)
    outsider = collaborator_with(Right.DOCUMENTS)

    page = client_for(outsider.user).get(detail_url(client_request))

    assert page.status_code == 403
    assert "Suivre, compléter et soumettre les demandes" in page.content.decode()


def test_another_companys_request_is_404(requester, other_admin, client_for):
    client_request = make_request(membership=requester)
    url = reverse(
        "client_requests:detail",
        kwargs={"company_id": other_admin.company_id, "request_id": client_request.pk},
    )

    assert client_for(other_admin.user).get(url).status_code == 404
    assert client_for(other_admin.user).get(detail_url(client_request)).status_code == 404


def test_another_member_completes_and_submits_a_draft(requester, collaborator_with, client_for):
    draft = make_request(membership=requester)
    colleague = collaborator_with(Right.COMPANY_REQUESTS)

    response = client_for(colleague.user).post(
        complete_url(draft),
        {
            "subject": "Crédit-bail camion",
            "message": "Avec le devis.",
            "documents": [upload("devis.pdf")],
            "action": "submit",
        },
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == RequestStatus.SUBMITTED
    assert draft.submitted_by == colleague.user
    assert draft.details["subject"] == "Crédit-bail camion"
    assert draft.attachments.get().original_name == "devis.pdf"


def test_saving_a_draft_keeps_it_a_draft(requester, client_for):
    draft = make_request(membership=requester)

    client_for(requester.user).post(
        complete_url(draft), {"subject": "Nouvel objet", "message": "", "action": "save"}
    )

    draft.refresh_from_db()
    assert draft.status == RequestStatus.DRAFT
    assert draft.details["subject"] == "Nouvel objet"


def test_a_wrong_file_on_a_draft_is_refused_in_french(requester, client_for):
    draft = make_request(membership=requester)

    response = client_for(requester.user).post(
        complete_url(draft),
        {
            "subject": "Objet",
            "documents": [upload("virus.pdf", b"MZ\x90\x00 not a pdf")],
            "action": "submit",
        },
    )

    assert response.status_code == 400
    assert "Ce type de fichier n’est pas accepté" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == RequestStatus.DRAFT


def test_submitting_a_rib_change_without_proof_says_why(collaborator_with, client_for):
    member = collaborator_with(Right.BANK_DETAILS)
    draft = make_request(
        membership=member,
        kind=RequestKind.BANK_DETAILS_CHANGE,
        details={"holder": "X", "iban": "FR7630006000011234567890189", "bic": "AGRIFRPP"},
    )

    response = client_for(member.user).post(
        complete_url(draft), {"message": "", "purpose": "supporting", "action": "submit"}
    )

    assert response.status_code == 400
    assert "Joignez un justificatif de pouvoir" in response.content.decode()


def test_a_member_without_the_right_cannot_complete_a_draft(
    requester, collaborator_with, client_for
):
    draft = make_request(membership=requester)
    outsider = collaborator_with(Right.DOCUMENTS)

    response = client_for(outsider.user).post(
        complete_url(draft), {"subject": "Piratage", "action": "submit"}
    )

    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == RequestStatus.DRAFT


# draft documentation from the bank


@pytest.fixture
def draft_documentation(requester, staff):
    client_request = make_request(membership=requester, submit=True)
    return bank_attachment_add(
        client_request=client_request,
        new_file=new_file("projet-de-contrat.pdf", purpose=AttachmentPurpose.DRAFT_DOCUMENTATION),
        by=staff,
    )


def test_a_member_approves_the_draft_documentation(draft_documentation, requester, client_for):
    prefix = f"relecture-{draft_documentation.pk}"

    response = client_for(requester.user).post(
        review_url(draft_documentation), {f"{prefix}-decision": "approve", f"{prefix}-comment": ""}
    )

    assert response.status_code == 302
    draft_documentation.refresh_from_db()
    assert draft_documentation.review == DraftReview.APPROVED


def test_sending_back_without_a_comment_is_refused(draft_documentation, requester, client_for):
    prefix = f"relecture-{draft_documentation.pk}"

    response = client_for(requester.user).post(
        review_url(draft_documentation), {f"{prefix}-decision": "return", f"{prefix}-comment": ""}
    )

    assert response.status_code == 400
    assert "Dites à la banque ce qui doit changer" in response.content.decode()
    draft_documentation.refresh_from_db()
    assert draft_documentation.review == DraftReview.PENDING


def test_sending_back_with_a_comment(draft_documentation, requester, client_for):
    prefix = f"relecture-{draft_documentation.pk}"

    client_for(requester.user).post(
        review_url(draft_documentation),
        {f"{prefix}-decision": "return", f"{prefix}-comment": "Le taux est erroné."},
    )

    draft_documentation.refresh_from_db()
    assert draft_documentation.review == DraftReview.RETURNED
    assert draft_documentation.review_comment == "Le taux est erroné."


# downloads


def test_the_author_downloads_a_file_with_its_name_and_type(requester, client_for):
    client_request = make_request(membership=requester, files=(new_file("Devis n°3.pdf"),))
    attachment = client_request.attachments.get()

    response = client_for(requester.user).get(attachment_url(attachment))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Devis" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert AuditEvent.objects.filter(
        action=Action.DOCUMENT_DOWNLOADED, target_id=str(client_request.pk)
    ).exists()


def test_the_bank_draft_documentation_downloads(draft_documentation, requester, client_for):
    response = client_for(requester.user).get(attachment_url(draft_documentation))

    assert response.status_code == 200


def test_a_download_without_the_right_is_403(requester, collaborator_with, client_for):
    client_request = make_request(membership=requester, files=(new_file(),))
    outsider = collaborator_with(Right.DOCUMENTS)

    response = client_for(outsider.user).get(attachment_url(client_request.attachments.get()))

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action=Action.DOCUMENT_DOWNLOADED).exists()


def test_a_download_from_another_company_is_404(requester, other_admin, client_for):
    client_request = make_request(membership=requester, files=(new_file(),))

    response = client_for(other_admin.user).get(attachment_url(client_request.attachments.get()))

    assert response.status_code == 404


def test_a_download_needs_a_login(requester, client):
    client_request = make_request(membership=requester, files=(new_file(),))

    response = client.get(attachment_url(client_request.attachments.get()))

    assert response.status_code == 302
