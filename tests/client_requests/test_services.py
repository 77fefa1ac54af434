import contextlib

import pytest

from audit.models import Action, AuditEvent
from client_requests.kinds import AttachmentPurpose, DraftReview, RequestKind, RequestStatus
from client_requests.models import Attachment, ClientRequest, StatusChange
from client_requests.services import (
    RequestRefused,
    bank_attachment_add,
    draft_review,
    request_complete,
    request_create,
    request_move,
    request_submit,
)
from permissions.catalogue import Right
from tests.client_requests.factories import make_request, new_file
from tests.factories import ContractFactory, UserFactory
from tests.private_files import stored_names

pytestmark = pytest.mark.django_db

RIB = {"holder": "Atelier Durand SAS", "iban": "FR7630006000011234567890189", "bic": "AGRIFRPP"}


@pytest.fixture
def staff():
    return UserFactory.create(is_staff=True, is_superuser=True)


@pytest.fixture
def requester(collaborator_with):
    return collaborator_with(Right.COMPANY_REQUESTS)


def test_a_draft_is_created_with_its_history_and_audit(requester):
    client_request = make_request(membership=requester)

    assert client_request.status == RequestStatus.DRAFT
    assert client_request.author == requester.user
    assert list(client_request.status_changes.values_list("to_status", flat=True)) == ["draft"]
    assert AuditEvent.objects.filter(
        action=Action.REQUEST_CREATED, target_id=str(client_request.pk)
    ).exists()


def test_a_request_submitted_at_creation_has_its_date_and_submitter(requester):
    client_request = make_request(membership=requester, submit=True)

    assert client_request.status == RequestStatus.SUBMITTED
    assert client_request.submitted_at is not None
    assert client_request.submitted_by == requester.user


def test_filing_a_kind_without_its_right_is_refused(collaborator_with, company):
    member = collaborator_with(Right.DOCUMENTS)

    with pytest.raises(RequestRefused):
        make_request(membership=member)

    assert not ClientRequest.objects.filter(company=company).exists()


def test_another_companys_contract_is_refused(requester, other_company):
    foreign = ContractFactory.create(company=other_company)

    with pytest.raises(RequestRefused) as refusal:
        make_request(membership=requester, kind=RequestKind.AMENDMENT, contract=foreign)

    assert refusal.value.field == "contract"


def test_a_failing_create_leaves_no_row_and_no_file(requester, company, settings, monkeypatch):
    from client_requests.services import common

    def fail(**kwargs):
        raise RuntimeError("panne")

    monkeypatch.setattr(common, "_submit", fail)
    files_before = stored_names()

    with pytest.raises(RuntimeError):
        make_request(membership=requester, files=(new_file(),), submit=True)

    assert not ClientRequest.objects.filter(company=company).exists()
    assert not Attachment.objects.filter(request__company=company).exists()
    assert stored_names() == files_before


def test_a_proof_of_power_is_needed_to_submit_a_rib_change(collaborator_with, company):
    member = collaborator_with(Right.BANK_DETAILS)

    with pytest.raises(RequestRefused) as refusal:
        make_request(
            membership=member, kind=RequestKind.BANK_DETAILS_CHANGE, details=RIB, submit=True
        )

    assert refusal.value.field == "proof_of_power"
    assert not ClientRequest.objects.filter(company=company).exists()


def test_another_member_with_the_right_completes_and_submits_a_draft(requester, collaborator_with):
    draft = make_request(membership=requester)
    colleague = collaborator_with(Right.COMPANY_REQUESTS)

    request_complete(
        membership=colleague,
        client_request=draft,
        message="Précisions ajoutées.",
        files=(new_file("devis.png", content=None),),
    )
    submitted = request_submit(membership=colleague, client_request=draft)

    assert submitted.status == RequestStatus.SUBMITTED
    assert submitted.submitted_by == colleague.user
    assert submitted.message == "Précisions ajoutées."
    assert submitted.attachments.count() == 1


def test_a_member_without_the_right_cannot_complete_a_draft(requester, collaborator_with):
    draft = make_request(membership=requester)
    outsider = collaborator_with(Right.DOCUMENTS)

    with pytest.raises(RequestRefused):
        request_complete(membership=outsider, client_request=draft, message="Non")

    draft.refresh_from_db()
    assert draft.message != "Non"


def test_an_author_whose_right_was_removed_can_no_longer_submit(requester):
    draft = make_request(membership=requester)
    requester.grants.all().delete()

    with pytest.raises(RequestRefused):
        request_submit(membership=requester, client_request=draft)


def test_a_submitted_request_cannot_be_completed_again(requester):
    submitted = make_request(membership=requester, submit=True)

    with pytest.raises(RequestRefused):
        request_complete(membership=requester, client_request=submitted, message="Trop tard")


def test_support_moves_a_request_with_a_comment_the_company_sees(requester, staff):
    submitted = make_request(membership=requester, submit=True)

    moved = request_move(
        reason="vérifié avec le client par téléphone",
        client_request=submitted,
        to_status=RequestStatus.IN_REVIEW,
        comment="Dossier en cours d’analyse.",
        by=staff,
    )

    assert moved.status == RequestStatus.IN_REVIEW
    last = moved.status_changes.order_by("-pk").first()
    assert last.by_bank
    assert last.comment == "Dossier en cours d’analyse."


def test_a_closed_request_has_its_closing_date(requester, staff):
    submitted = make_request(membership=requester, submit=True)

    done = request_move(
        reason="vérifié avec le client par téléphone",
        client_request=submitted,
        to_status=RequestStatus.DONE,
        comment="",
        by=staff,
    )

    assert done.closed_at is not None


@pytest.mark.parametrize(
    ("start", "to_status"),
    [
        ("draft", RequestStatus.IN_REVIEW),
        ("draft", RequestStatus.DONE),
        ("done", RequestStatus.REFUSED),
        ("in_review", RequestStatus.SUBMITTED),
    ],
)
def test_support_cannot_make_a_move_outside_the_transitions(requester, staff, start, to_status):
    client_request = make_request(membership=requester, submit=start != "draft")
    if start == "done":
        request_move(
            reason="vérifié avec le client par téléphone",
            client_request=client_request,
            to_status=RequestStatus.DONE,
            comment="",
            by=staff,
        )
    if start == "in_review":
        request_move(
            reason="vérifié avec le client par téléphone",
            client_request=client_request,
            to_status=RequestStatus.IN_REVIEW,
            comment="",
            by=staff,
        )

    with pytest.raises(RequestRefused):
        request_move(
            reason="vérifié avec le client par téléphone",
            client_request=client_request,
            to_status=to_status,
            comment="x",
            by=staff,
        )

    client_request.refresh_from_db()
    assert client_request.status == start


def test_a_refusal_needs_a_comment(requester, staff):
    submitted = make_request(membership=requester, submit=True)

    with pytest.raises(RequestRefused) as refusal:
        request_move(
            reason="vérifié avec le client par téléphone",
            client_request=submitted,
            to_status=RequestStatus.REFUSED,
            comment="  ",
            by=staff,
        )

    assert refusal.value.field == "comment"
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.SUBMITTED


def test_validating_a_rib_change_changes_the_companys_rib(collaborator_with, company, staff):
    member = collaborator_with(Right.BANK_DETAILS)
    proof = new_file("pouvoir.pdf", purpose=AttachmentPurpose.PROOF_OF_POWER)
    change = make_request(
        membership=member,
        kind=RequestKind.BANK_DETAILS_CHANGE,
        details=RIB,
        files=(proof,),
        submit=True,
    )

    request_move(
        reason="vérifié avec le client par téléphone",
        client_request=change,
        to_status=RequestStatus.DONE,
        comment="",
        by=staff,
    )

    company.refresh_from_db()
    assert (company.bank_account_holder, company.iban, company.bic) == (
        RIB["holder"],
        RIB["iban"],
        RIB["bic"],
    )
    assert company.bank_details_changed_at is not None
    assert AuditEvent.objects.filter(action=Action.BANK_DETAILS_CHANGED, company=company).exists()


def test_a_refused_rib_change_leaves_the_rib_alone(collaborator_with, company, staff):
    member = collaborator_with(Right.BANK_DETAILS)
    proof = new_file("pouvoir.pdf", purpose=AttachmentPurpose.PROOF_OF_POWER)
    change = make_request(
        membership=member,
        kind=RequestKind.BANK_DETAILS_CHANGE,
        details=RIB,
        files=(proof,),
        submit=True,
    )

    request_move(
        reason="vérifié avec le client par téléphone",
        client_request=change,
        to_status=RequestStatus.REFUSED,
        comment="Pouvoir échu",
        by=staff,
    )

    company.refresh_from_db()
    assert company.iban == ""


def _with_draft_documentation(requester, staff):
    client_request = make_request(membership=requester, submit=True)
    attachment = bank_attachment_add(
        client_request=client_request,
        new_file=new_file("projet.pdf", purpose=AttachmentPurpose.DRAFT_DOCUMENTATION),
        by=staff,
    )
    return client_request, attachment


def test_the_bank_draft_documentation_waits_for_review(requester, staff):
    _, attachment = _with_draft_documentation(requester, staff)

    assert attachment.review == DraftReview.PENDING


def test_a_member_approves_the_draft_documentation(requester, staff):
    _, attachment = _with_draft_documentation(requester, staff)

    reviewed = draft_review(membership=requester, attachment=attachment, approve=True)

    assert reviewed.review == DraftReview.APPROVED
    assert reviewed.reviewed_by == requester.user


def test_sending_back_draft_documentation_needs_a_comment(requester, staff):
    _, attachment = _with_draft_documentation(requester, staff)

    with pytest.raises(RequestRefused):
        draft_review(membership=requester, attachment=attachment, approve=False, comment="")

    returned = draft_review(
        membership=requester, attachment=attachment, approve=False, comment="Corriger le taux."
    )
    assert returned.review == DraftReview.RETURNED
    assert returned.review_comment == "Corriger le taux."


def test_draft_documentation_is_reviewed_once(requester, staff):
    _, attachment = _with_draft_documentation(requester, staff)
    draft_review(membership=requester, attachment=attachment, approve=True)

    with pytest.raises(RequestRefused):
        draft_review(membership=requester, attachment=attachment, approve=False, comment="Non")


def test_a_companys_own_document_is_not_reviewed(requester):
    client_request = make_request(membership=requester, files=(new_file(),))
    own = client_request.attachments.get()

    with pytest.raises(RequestRefused):
        draft_review(membership=requester, attachment=own, approve=True)


def test_support_cannot_attach_to_a_closed_request(requester, staff):
    client_request = make_request(membership=requester, submit=True)
    request_move(
        reason="vérifié avec le client par téléphone",
        client_request=client_request,
        to_status=RequestStatus.DONE,
        comment="",
        by=staff,
    )

    with pytest.raises(RequestRefused):
        bank_attachment_add(
            client_request=client_request,
            new_file=new_file("projet.pdf", purpose=AttachmentPurpose.DRAFT_DOCUMENTATION),
            by=staff,
        )


def test_a_failing_completion_removes_the_files_it_wrote(requester, settings, monkeypatch):
    from client_requests.services import filing

    draft = make_request(membership=requester)
    files_before = stored_names()

    def fail(**kwargs):
        raise RuntimeError("panne")

    monkeypatch.setattr(filing, "_submit", fail)
    with contextlib.suppress(RuntimeError):
        request_complete(
            membership=requester, client_request=draft, files=(new_file(),), submit=True
        )

    assert not draft.attachments.exists()
    assert stored_names() == files_before


def test_status_changes_of_a_request_are_kept_in_order(requester, staff):
    client_request = make_request(membership=requester, submit=True)
    request_move(
        reason="vérifié avec le client par téléphone",
        client_request=client_request,
        to_status=RequestStatus.IN_REVIEW,
        comment="",
        by=staff,
    )
    request_move(
        reason="vérifié avec le client par téléphone",
        client_request=client_request,
        to_status=RequestStatus.DONE,
        comment="OK",
        by=staff,
    )

    history = StatusChange.objects.filter(request=client_request).order_by("pk")
    assert [c.to_status for c in history] == ["draft", "submitted", "in_review", "done"]


def test_request_create_is_callable_with_keywords_only(requester):
    with pytest.raises(TypeError):
        request_create(requester, RequestKind.NEW_CONTRACT)  # type: ignore[misc]
