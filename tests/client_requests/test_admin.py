import pytest
from django.core import mail
from django.urls import reverse

from audit.models import Action, AuditEvent
from backoffice.models import Proposal
from client_requests.kinds import AttachmentPurpose, DraftReview, RequestKind, RequestStatus
from permissions.catalogue import Right
from tests.client_requests.factories import make_request, new_file, upload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RIB = {"holder": "Atelier Durand SAS", "iban": "FR7630006000011234567890189", "bic": "AGRIFRPP"}


@pytest.fixture
def staff():
    return UserFactory.create(is_staff=True, is_superuser=True, email="support@banque.example")


@pytest.fixture
def staff_client(staff, client_for):
    return client_for(staff)


@pytest.fixture
def rib_change(collaborator_with):
    member = collaborator_with(Right.BANK_DETAILS)
    return make_request(
        membership=member,
        kind=RequestKind.BANK_DETAILS_CHANGE,
        details=RIB,
        files=(new_file("pouvoir.pdf", purpose=AttachmentPurpose.PROOF_OF_POWER),),
        submit=True,
    )


def change_url(client_request):
    return reverse("admin:client_requests_clientrequest_change", args=[client_request.pk])


REASON = "pièces vérifiées par le support"


def decision_url(client_request):
    return reverse("admin:client_requests_clientrequest_decision", args=[client_request.pk])


def upload_url(client_request):
    return reverse(
        "admin:client_requests_clientrequest_draft_documentation", args=[client_request.pk]
    )


def admin_attachment_url(attachment):
    return reverse(
        "admin:client_requests_clientrequest_attachment",
        args=[attachment.request_id, attachment.pk],
    )


def test_support_lists_and_searches_requests(rib_change, staff_client):
    url = reverse("admin:client_requests_clientrequest_changelist")

    listed = staff_client.get(url)
    found = staff_client.get(url, {"q": rib_change.company.siren})
    filtered = staff_client.get(url, {"status__exact": "draft"})

    assert listed.status_code == 200
    assert change_url(rib_change) in found.content.decode()
    assert change_url(rib_change) not in filtered.content.decode()


def test_support_sees_the_request_its_proof_and_the_decision_form(rib_change, staff_client):
    html = staff_client.get(change_url(rib_change)).content.decode()

    assert "FR76 3000 6000 0112 3456 7890 189" in html
    assert "pouvoir.pdf" in html
    assert admin_attachment_url(rib_change.attachments.get()) in html
    assert "Décision de la banque" in html
    assert decision_url(rib_change) in html


def test_support_downloads_the_proof_of_power(rib_change, staff_client):
    response = staff_client.get(admin_attachment_url(rib_change.attachments.get()))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_non_staff_user_cannot_download_from_the_admin(rib_change, client_for):
    response = client_for(rib_change.author).get(admin_attachment_url(rib_change.attachments.get()))

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_validating_a_rib_change_changes_the_rib_and_tells_the_company_once(
    rib_change, staff_client, client_for, eager_tasks, django_capture_on_commit_callbacks
):
    second_agent = client_for(UserFactory.create(is_staff=True, is_superuser=True))
    response = staff_client.post(
        decision_url(rib_change),
        {"to_status": "done", "comment": "RIB vérifié.", "reason": REASON},
    )
    rib_change.refresh_from_db()
    proposed_only = rib_change.status
    proposal = Proposal.objects.get(subject_id=str(rib_change.pk))
    with django_capture_on_commit_callbacks(execute=True):
        second_agent.post(reverse("admin:backoffice_proposal_approve", args=[proposal.pk]))

    assert response.status_code == 302
    assert proposed_only != RequestStatus.DONE
    rib_change.refresh_from_db()
    company = rib_change.company
    company.refresh_from_db()
    assert rib_change.status == RequestStatus.DONE
    assert company.iban == RIB["iban"]
    assert AuditEvent.objects.filter(action=Action.BANK_DETAILS_CHANGED, company=company).exists()
    authors_mail = [m for m in mail.outbox if m.to == [rib_change.author.email]]
    assert len(authors_mail) == 1
    assert "RIB vérifié." in authors_mail[0].body


def test_a_refusal_without_comment_is_an_admin_error(rib_change, staff_client):
    response = staff_client.post(
        decision_url(rib_change),
        {"to_status": "refused", "comment": "", "reason": REASON},
        follow=True,
    )

    assert "Expliquez le refus" in response.content.decode()
    rib_change.refresh_from_db()
    assert rib_change.status == RequestStatus.SUBMITTED


def test_a_move_outside_the_transitions_is_refused(rib_change, staff_client):
    response = staff_client.post(
        decision_url(rib_change),
        {"to_status": "draft", "comment": "x", "reason": REASON},
        follow=True,
    )

    assert response.status_code == 200
    rib_change.refresh_from_db()
    assert rib_change.status == RequestStatus.SUBMITTED


def test_the_decision_is_post_only(rib_change, staff_client):
    assert staff_client.get(decision_url(rib_change)).status_code == 405


def test_support_uploads_draft_documentation(collaborator_with, staff_client):
    client_request = make_request(membership=collaborator_with(Right.COMPANY_REQUESTS), submit=True)

    staff_client.post(upload_url(client_request), {"document": upload("projet.pdf")})

    attachment = client_request.attachments.get()
    assert attachment.purpose == AttachmentPurpose.DRAFT_DOCUMENTATION
    assert attachment.review == DraftReview.PENDING


def test_a_draft_documentation_of_the_wrong_type_is_refused(collaborator_with, staff_client):
    client_request = make_request(membership=collaborator_with(Right.COMPANY_REQUESTS), submit=True)

    response = staff_client.post(
        upload_url(client_request), {"document": upload("projet.pdf", b"GIF89a....")}, follow=True
    )

    assert "Ce type de fichier n’est pas accepté" in response.content.decode()
    assert not client_request.attachments.exists()


def test_the_company_rib_is_read_only_in_the_company_admin(rib_change, staff_client):
    company = rib_change.company
    url = reverse("admin:companies_company_change", args=[company.pk])

    html = staff_client.get(url).content.decode()

    assert 'name="iban"' not in html
    assert 'name="bic"' not in html
