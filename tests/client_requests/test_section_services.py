"""The sections' rules, checked by the services themselves: a script that calls a service with
values the forms would refuse gets the same refusal, and nothing is written."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit.models import AuditEvent
from client_requests.kinds import AttachmentPurpose, DraftReview, RequestKind, RequestStatus
from client_requests.models import ClientRequest
from client_requests.services import (
    NewFile,
    RequestRefused,
    bank_attachment_add,
    bank_details_change_request,
    draft_review,
    duplicate_request,
    early_buyout_request,
    fund_operation_request,
    request_complete,
    request_create,
    request_move,
)
from client_requests.uploads import CheckedFile
from companies.models import Company, ContractKind, ContractStatus
from permissions.catalogue import Right
from tests.client_requests.factories import new_file
from tests.client_requests.ops_factories import (
    OTHER_VALID_IBAN,
    VALID_BIC,
    VALID_IBAN,
    club_contract,
    lease_contract,
    stored_files,
)
from tests.factories import ContractFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2030, 6, 3, 10, 0))
TODAY = NOW.date()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def assert_nothing_written(company: Company) -> None:
    assert not ClientRequest.objects.filter(company=company).exists()
    assert not AuditEvent.objects.filter(company=company).exists()
    assert stored_files(company) == []


def refused(call, **arguments) -> RequestRefused:
    with pytest.raises(RequestRefused) as refusal:
        call(**arguments)
    return refusal.value


@pytest.fixture
def funds(collaborator_with):
    return collaborator_with(Right.FUND_OPERATIONS)


@pytest.fixture
def club(company):
    """100 000 €, 40 000 € drawn: 60 000 € available; from a year ago to two years on."""
    return club_contract(
        company,
        reference="CLUB-2030-001",
        start_date=days(-365),
        end_date=days(730),
    )


def operation(membership, contract, kind=RequestKind.DISBURSEMENT, **terms):
    terms.setdefault("date", days(3))
    if kind == RequestKind.DISBURSEMENT:
        terms.setdefault("amount", Decimal("1000.00"))
    return dict(membership=membership, kind=kind, contract=contract, now=NOW, **terms)


# --- fund operations ------------------------------------------------------------------------


def test_a_disbursement_within_the_available_amount_is_filed(funds, club):
    filed = fund_operation_request(**operation(funds, club, amount=Decimal("60000.00")))

    assert filed.details == {"amount": "60000.00", "disbursement_date": days(3).isoformat()}


def test_a_total_renunciation_is_of_the_whole_available_amount(funds, club):
    filed = fund_operation_request(
        **operation(funds, club, RequestKind.CREDIT_RENUNCIATION, scope="total")
    )

    assert filed.details == {
        "scope": "total",
        "amount": "60000.00",
        "requested_date": days(3).isoformat(),
    }


@pytest.mark.parametrize(
    "kind, terms, field, message",
    [
        pytest.param(
            RequestKind.DISBURSEMENT,
            {"amount": Decimal("60000.01")},
            "amount",
            "Le montant dépasse le disponible de ce crédit (60\xa0000,00 €).",
            id="disbursement-over-the-available-amount",
        ),
        pytest.param(
            RequestKind.DISBURSEMENT,
            {"amount": Decimal("0")},
            "amount",
            "Le montant doit être supérieur à zéro.",
            id="disbursement-of-nothing",
        ),
        pytest.param(
            RequestKind.DISBURSEMENT,
            {"amount": Decimal("-5")},
            "amount",
            "Le montant doit être supérieur à zéro.",
            id="negative-disbursement",
        ),
        pytest.param(
            RequestKind.DISBURSEMENT,
            {"amount": Decimal("10.001")},
            "amount",
            "Le montant a au plus 2 décimales (les centimes).",
            id="disbursement-below-the-cent",
        ),
        pytest.param(
            RequestKind.DISBURSEMENT,
            {"amount": None},
            "amount",
            "Indiquez le montant.",
            id="disbursement-without-amount",
        ),
        pytest.param(
            RequestKind.CREDIT_RENUNCIATION,
            {"scope": "partiel"},
            "amount",
            "Indiquez le montant, ou choisissez l’option totale.",
            id="partial-renunciation-without-amount",
        ),
        pytest.param(
            RequestKind.CREDIT_RENUNCIATION,
            {"scope": "partiel", "amount": Decimal("60000.01")},
            "amount",
            "Le montant dépasse la part non utilisée de ce crédit (60\xa0000,00 €).",
            id="renunciation-over-the-unused-part",
        ),
        pytest.param(
            RequestKind.CREDIT_RENUNCIATION,
            {"scope": "tout"},
            "scope",
            "Choisissez une option.",
            id="renunciation-of-an-unknown-scope",
        ),
        pytest.param(
            RequestKind.EARLY_REPAYMENT,
            {"scope": "partiel", "amount": Decimal("40000.01")},
            "amount",
            "Le montant dépasse le capital restant dû de ce crédit (40\xa0000,00 €).",
            id="repayment-over-the-outstanding-capital",
        ),
        pytest.param(
            RequestKind.DISBURSEMENT,
            {"date": days(-1)},
            "date",
            "Choisissez une date à partir d’aujourd’hui.",
            id="disbursement-in-the-past",
        ),
        pytest.param(
            RequestKind.STATEMENT,
            {"date": days(731)},
            "date",
            "Choisissez une date au plus tard le",
            id="statement-after-the-end",
        ),
        pytest.param(
            RequestKind.EARLY_REPAYMENT,
            {"scope": "total", "date": days(-1)},
            "date",
            "Choisissez une date à partir d’aujourd’hui.",
            id="repayment-in-the-past",
        ),
    ],
)
def test_an_operation_against_the_credits_rules_is_refused_and_nothing_is_written(
    funds, club, company, kind, terms, field, message
):
    refusal = refused(fund_operation_request, **operation(funds, club, kind, **terms))

    assert refusal.field == field
    assert message in refusal.message
    assert_nothing_written(company)


@pytest.mark.parametrize(
    "credit, kind, terms, message",
    [
        pytest.param(
            {"drawn_amount": Decimal("100000.00")},
            RequestKind.DISBURSEMENT,
            {"amount": Decimal("1")},
            "Ce crédit est entièrement décaissé",
            id="disbursement-fully-drawn",
        ),
        pytest.param(
            {"drawn_amount": Decimal("100000.00")},
            RequestKind.CREDIT_RENUNCIATION,
            {"scope": "total"},
            "il n’y a plus rien à quoi renoncer",
            id="renunciation-fully-drawn",
        ),
        pytest.param(
            {"drawn_amount": Decimal("0")},
            RequestKind.EARLY_REPAYMENT,
            {"scope": "total"},
            "il n’y a rien à rembourser",
            id="repayment-nothing-drawn",
        ),
    ],
)
def test_an_operation_the_credit_leaves_no_room_for_is_refused(
    funds, company, credit, kind, terms, message
):
    contract = club_contract(company, start_date=days(-365), end_date=days(730), **credit)

    refusal = refused(fund_operation_request, **operation(funds, contract, kind, **terms))

    assert (refusal.field, message in refusal.message) == ("contract", True)
    assert_nothing_written(company)


def test_a_disbursement_before_the_contract_starts_is_refused(funds, company):
    later = club_contract(company, start_date=days(30), end_date=days(400))

    refusal = refused(fund_operation_request, **operation(funds, later, date=days(5)))

    assert refusal.field == "date"
    assert "Choisissez une date à partir du" in refusal.message
    assert_nothing_written(company)


@pytest.mark.parametrize("kind", [ContractKind.LOAN, ContractKind.CBM])
def test_a_fund_operation_on_a_contract_that_is_not_club_is_refused(funds, company, kind):
    other = ContractFactory.create(company=company, kind=kind)

    refusal = refused(fund_operation_request, **operation(funds, other))

    assert refusal.message == "Les opérations sur les fonds ne concernent que les crédits CLUB."
    assert_nothing_written(company)


def test_a_fund_operation_on_a_closed_club_contract_is_refused(funds, company):
    closed = club_contract(company, status=ContractStatus.CLOSED)

    refusal = refused(fund_operation_request, **operation(funds, closed))

    assert refusal.message == "Ce contrat est clos : aucune demande n’est possible."
    assert_nothing_written(company)


def test_a_fund_operation_on_another_companys_contract_is_refused(funds, company, other_company):
    theirs = club_contract(other_company)

    refusal = refused(fund_operation_request, **operation(funds, theirs))

    assert refusal.field == "contract"
    assert_nothing_written(company)
    assert not ClientRequest.objects.filter(company=other_company).exists()


def test_a_member_without_the_right_files_no_fund_operation(collaborator_with, club, company):
    documents_only = collaborator_with(Right.DOCUMENTS)

    refused(fund_operation_request, **operation(documents_only, club))

    assert_nothing_written(company)


def test_another_kind_is_not_a_fund_operation(funds, club, company):
    refusal = refused(fund_operation_request, **operation(funds, club, RequestKind.DUPLICATE))

    assert refusal.message == "Opération inconnue."
    assert_nothing_written(company)


# --- early buyout ---------------------------------------------------------------------------


@pytest.fixture
def buyer(collaborator_with):
    return collaborator_with(Right.EARLY_BUYOUT)


@pytest.fixture
def cbm(company):
    return lease_contract(company, ContractKind.CBM, start_date=days(-365), end_date=days(730))


def buyout(membership, contract, date):
    return dict(
        membership=membership,
        contract=contract,
        desired_date=date,
        proof_of_power=new_file(purpose=AttachmentPurpose.PROOF_OF_POWER),
        now=NOW,
    )


@pytest.mark.parametrize(
    "offset, message",
    [
        (-1, "Choisissez une date à partir d’aujourd’hui."),
        (730, "Choisissez une date avant le"),
        (731, "Choisissez une date avant le"),
    ],
)
def test_a_buyout_date_outside_the_contract_is_refused_and_no_file_is_kept(
    buyer, cbm, company, offset, message
):
    refusal = refused(early_buyout_request, **buyout(buyer, cbm, days(offset)))

    assert refusal.field == "desired_date"
    assert message in refusal.message
    assert_nothing_written(company)


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"kind": ContractKind.CBM, "status": ContractStatus.CLOSED}, "Ce contrat est clos"),
        ({"kind": ContractKind.CLUB}, "ne concerne que les contrats de crédit-bail mobilier"),
        ({"kind": ContractKind.LOAN}, "ne concerne que les contrats de crédit-bail mobilier"),
    ],
)
def test_a_buyout_of_a_closed_or_other_contract_is_refused(buyer, company, fields, message):
    contract = lease_contract(company, **fields)

    refusal = refused(early_buyout_request, **buyout(buyer, contract, days(10)))

    assert refusal.field == "contract"
    assert message in refusal.message
    assert_nothing_written(company)


def test_a_buyout_on_today_is_filed(buyer, cbm):
    filed = early_buyout_request(**buyout(buyer, cbm, TODAY))

    assert filed.details["buyout_date"] == TODAY.isoformat()


# --- bank details ---------------------------------------------------------------------------


@pytest.fixture
def treasurer(collaborator_with):
    return collaborator_with(Right.BANK_DETAILS)


def rib(membership, **changes):
    fields = {"holder": "Atelier Durand SAS", "iban": VALID_IBAN, "bic": VALID_BIC}
    return dict(
        membership=membership,
        proof_of_power=new_file(purpose=AttachmentPurpose.PROOF_OF_POWER),
        now=NOW,
        **{**fields, **changes},
    )


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"iban": "FR7630006000011234567890188"}, "iban", "la clé de contrôle ne correspond pas"),
        ({"iban": "1234"}, "iban", "Saisissez un IBAN complet"),
        ({"iban": "FR76300060000112345678901"}, "iban", "n’a pas le format des IBAN de son pays"),
        ({"bic": "BNPA"}, "bic", "Saisissez un BIC valide"),
        ({"holder": "   "}, "holder", "Saisissez le titulaire du compte."),
    ],
)
def test_a_rib_change_with_a_wrong_iban_bic_or_holder_is_refused(
    treasurer, company, changes, field, message
):
    refusal = refused(bank_details_change_request, **rib(treasurer, **changes))

    assert refusal.field == field
    assert message in refusal.message
    assert_nothing_written(company)


def test_the_service_stores_the_iban_and_bic_compact_and_upper_case(treasurer):
    filed = bank_details_change_request(
        **rib(treasurer, iban="de89 3704 0044 0532 0130 00", bic="bnpa frpp")
    )

    assert filed.details == {
        "holder": "Atelier Durand SAS",
        "iban": OTHER_VALID_IBAN,
        "bic": VALID_BIC,
    }


def test_the_current_iban_is_refused_however_it_is_typed(treasurer, company):
    company.iban = VALID_IBAN
    company.save()

    refusal = refused(
        bank_details_change_request, **rib(treasurer, iban="fr76 3000 6000 0112 3456 7890 189")
    )

    assert refusal.field == "iban"
    assert_nothing_written(company)


# --- Demandes de l'entreprise and duplicates ----------------------------------------------------


@pytest.fixture
def everything(collaborator_with):
    return collaborator_with(*Right)


@pytest.mark.parametrize(
    "kind",
    [
        RequestKind.DISBURSEMENT,
        RequestKind.STATEMENT,
        RequestKind.BANK_DETAILS_CHANGE,
        RequestKind.EARLY_PURCHASE_OPTION,
        RequestKind.DUPLICATE,
    ],
)
def test_request_create_does_not_file_the_kinds_of_the_other_sections(everything, company, kind):
    contract = company.contracts.get(kind=ContractKind.CLUB)

    refusal = refused(
        request_create,
        membership=everything,
        kind=kind,
        contract=contract,
        details={"amount": "99999999.00", "disbursement_date": "2000-01-01"},
    )

    assert refusal.field == "kind"
    assert_nothing_written(company)


def test_an_amendment_without_its_contract_is_refused(everything, company):
    refusal = refused(
        request_create,
        membership=everything,
        kind=RequestKind.AMENDMENT,
        details={"subject": "Avenant"},
    )

    assert (refusal.field, refusal.message) == (
        "contract",
        "Choisissez le contrat auquel s’applique l’avenant.",
    )
    assert_nothing_written(company)


def test_a_duplicate_of_another_companys_contract_is_refused(everything, company, other_company):
    theirs = ContractFactory.create(company=other_company)

    refusal = refused(duplicate_request, membership=everything, contract=theirs, title="Contrat")

    assert refusal.field == "contract"
    assert_nothing_written(company)


@pytest.mark.parametrize("subscription, fee", [(True, Decimal("0")), (False, Decimal("50"))])
def test_a_duplicate_carries_the_fee_of_the_company(everything, company, subscription, fee):
    company.has_entreprise_subscription = subscription
    company.save()

    filed = duplicate_request(
        membership=everything, contract=company.contracts.first(), title="Contrat complet"
    )

    assert filed.fee == fee


# --- the files a member attaches -----------------------------------------------------------------


@pytest.fixture
def requester(collaborator_with):
    return collaborator_with(Right.COMPANY_REQUESTS)


def test_a_member_cannot_file_the_banks_draft_documentation(requester, company):
    refusal = refused(
        request_create,
        membership=requester,
        kind=RequestKind.NEW_CONTRACT,
        details={"subject": "Crédit-bail"},
        files=[new_file(purpose=AttachmentPurpose.DRAFT_DOCUMENTATION)],
    )

    assert refusal.field == "purpose"
    assert_nothing_written(company)


def test_a_proof_of_power_is_not_a_purpose_of_a_company_request(requester, company):
    refusal = refused(
        request_create,
        membership=requester,
        kind=RequestKind.NEW_CONTRACT,
        details={"subject": "Crédit-bail"},
        files=[new_file(purpose=AttachmentPurpose.PROOF_OF_POWER)],
    )

    assert refusal.field == "purpose"
    assert_nothing_written(company)


def test_at_most_ten_files_at_once(requester, company):
    refusal = refused(
        request_create,
        membership=requester,
        kind=RequestKind.NEW_CONTRACT,
        details={"subject": "Crédit-bail"},
        files=[new_file(f"piece-{n}.pdf") for n in range(11)],
    )

    assert refusal.message == "Joignez au plus 10 fichiers à la fois."
    assert_nothing_written(company)


def test_completing_a_draft_with_draft_documentation_is_refused(requester, company):
    draft = request_create(
        membership=requester,
        kind=RequestKind.NEW_CONTRACT,
        details={"subject": "Crédit-bail"},
        submit=False,
    )
    events = AuditEvent.objects.filter(company=company).count()

    refused(
        request_complete,
        membership=requester,
        client_request=draft,
        files=[new_file(purpose=AttachmentPurpose.DRAFT_DOCUMENTATION)],
    )

    assert not draft.attachments.exists()
    assert AuditEvent.objects.filter(company=company).count() == events
    assert stored_files(company) == []


def test_a_file_is_checked_by_the_service_whatever_the_caller_says_of_it(requester, company):
    page = SimpleUploadedFile("devis.pdf", b"<html><script>alert(1)</script></html>")
    claimed = CheckedFile(
        content_type="application/pdf", size=38, sha256="0" * 64, original_name="devis.pdf"
    )

    refusal = refused(
        request_create,
        membership=requester,
        kind=RequestKind.NEW_CONTRACT,
        details={"subject": "Crédit-bail"},
        files=[NewFile(upload=page, checked=claimed, purpose=AttachmentPurpose.SUPPORTING)],
    )

    assert refusal.message.startswith("devis.pdf : Ce type de fichier n’est pas accepté.")
    assert_nothing_written(company)


# --- what a person types: the subject and the length of every text ---------------------------

TOO_LONG_MESSAGE = "x" * 4001
TOO_LONG_MESSAGE_REFUSAL = "Ce texte tient en 4000 caractères au plus (il en compte 4001)."


@pytest.mark.parametrize(
    "details, message, field, text",
    [
        pytest.param({}, "", "subject", "Donnez un objet à votre demande.", id="no-subject"),
        pytest.param(
            {"subject": "   "}, "", "subject", "Donnez un objet à votre demande.", id="blank"
        ),
        pytest.param(
            {"subject": "x" * 201},
            "",
            "subject",
            "Ce texte tient en 200 caractères au plus (il en compte 201).",
            id="subject-too-long",
        ),
        pytest.param(
            {"subject": "Crédit-bail"},
            TOO_LONG_MESSAGE,
            "message",
            TOO_LONG_MESSAGE_REFUSAL,
            id="message-too-long",
        ),
    ],
)
def test_a_company_request_without_subject_or_too_long_is_refused(
    requester, company, details, message, field, text
):
    refusal = refused(
        request_create,
        membership=requester,
        kind=RequestKind.NEW_CONTRACT,
        details=details,
        message=message,
    )

    assert (refusal.field, refusal.message) == (field, text)
    assert_nothing_written(company)


@pytest.mark.parametrize(
    "changes, field",
    [
        pytest.param({"details": {"subject": ""}}, "subject", id="subject-removed"),
        pytest.param({"message": TOO_LONG_MESSAGE}, "message", id="message-too-long"),
    ],
)
def test_completing_a_draft_keeps_its_subject_and_the_length_limit(
    requester, company, changes, field
):
    draft = request_create(
        membership=requester,
        kind=RequestKind.NEW_CONTRACT,
        details={"subject": "Crédit-bail"},
        message="Premier jet",
        submit=False,
    )
    events = AuditEvent.objects.filter(company=company).count()

    refusal = refused(request_complete, membership=requester, client_request=draft, **changes)

    assert refusal.field == field
    draft.refresh_from_db()
    assert (draft.details, draft.message) == ({"subject": "Crédit-bail"}, "Premier jet")
    assert AuditEvent.objects.filter(company=company).count() == events


def test_a_duplicate_with_a_too_long_message_is_refused(collaborator_with, company):
    documents = collaborator_with(Right.DOCUMENTS)
    contract = ContractFactory.create(company=company)

    refusal = refused(
        duplicate_request,
        membership=documents,
        contract=contract,
        title="Contrat complet",
        message=TOO_LONG_MESSAGE,
    )

    assert (refusal.field, refusal.message) == ("message", TOO_LONG_MESSAGE_REFUSAL)
    assert_nothing_written(company)


def test_support_cannot_decide_with_a_too_long_comment(requester, company):
    client_request = request_create(
        membership=requester,
        kind=RequestKind.NEW_CONTRACT,
        details={"subject": "Crédit-bail"},
    )
    agent = UserFactory.create(is_staff=True)
    history = list(client_request.status_changes.values_list("pk", flat=True))

    refusal = refused(
        request_move,
        client_request=client_request,
        reason="pièces vérifiées par le support",
        to_status=RequestStatus.REFUSED,
        comment=TOO_LONG_MESSAGE,
        by=agent,
    )

    assert (refusal.field, refusal.message) == ("comment", TOO_LONG_MESSAGE_REFUSAL)
    client_request.refresh_from_db()
    assert client_request.status == RequestStatus.SUBMITTED
    assert list(client_request.status_changes.values_list("pk", flat=True)) == history


def test_support_cannot_refuse_without_a_comment(requester):
    client_request = request_create(
        membership=requester,
        kind=RequestKind.NEW_CONTRACT,
        details={"subject": "Crédit-bail"},
    )

    refusal = refused(
        request_move,
        client_request=client_request,
        reason="pièces vérifiées par le support",
        to_status=RequestStatus.REFUSED,
        comment="  ",
        by=UserFactory.create(is_staff=True),
    )

    assert refusal.field == "comment"
    client_request.refresh_from_db()
    assert client_request.status == RequestStatus.SUBMITTED


def test_draft_documentation_sent_back_with_a_too_long_comment_is_refused(requester):
    client_request = request_create(
        membership=requester,
        kind=RequestKind.NEW_CONTRACT,
        details={"subject": "Crédit-bail"},
    )
    attachment = bank_attachment_add(
        client_request=client_request,
        new_file=new_file("projet.pdf", purpose=AttachmentPurpose.DRAFT_DOCUMENTATION),
        by=UserFactory.create(is_staff=True),
    )

    refusal = refused(
        draft_review,
        membership=requester,
        attachment=attachment,
        approve=False,
        comment=TOO_LONG_MESSAGE,
    )

    assert (refusal.field, refusal.message) == ("comment", TOO_LONG_MESSAGE_REFUSAL)
    attachment.refresh_from_db()
    assert (attachment.review, attachment.review_comment) == (DraftReview.PENDING, "")
