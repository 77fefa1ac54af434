"""The company space's forms (documents, fund operations, RIB, early buyout, company requests, the
request pipeline, treasury) and the rights changes of Mes équipes, driven with arbitrary text
(control characters and NUL bytes included) and arbitrary files (hostile names, random bytes, real
PDF and images): never a server error, and a refused form saves nothing — no request, attachment,
status change, stored file, grant, membership or invitation change."""

import datetime
import os
from typing import Any

import pytest
from django.contrib.messages import ERROR, get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import assume, given
from hypothesis import strategies as st

from client_requests.forms.fund_operations import FUND_OPERATION_FORMS
from client_requests.kinds import AttachmentPurpose, RequestKind
from client_requests.models import Attachment, ClientRequest, StatusChange
from client_requests.services import bank_attachment_add
from companies.models import Company, ContractKind, Membership
from invitations.models import Invitation
from otp.models import AccessAuthorisation
from permissions.catalogue import Right
from permissions.models import Grant
from teams.models import RightsChange
from tests.client_requests.factories import jpeg_bytes, make_request, new_file, pdf_bytes, png_bytes
from tests.documents.factories import ContractDocumentFactory
from tests.factories import UserFactory
from tests.invitations.factories import create
from tests.otp.factories import last_code
from tests.private_files import stored_names
from tests.security.test_fuzz import FUZZ, TEXT
from tests.treasury.factories import TreasurySubscriptionFactory
from treasury.models import LowBalanceAlert, TreasurySubscription

pytestmark = pytest.mark.django_db

HOSTILE_NAMES = st.sampled_from(
    [
        "justificatif.pdf",
        "../../etc/passwd",
        "..\\..\\windows\\win.ini",
        "a\x00b.pdf",
        'rib"; filename="evil.exe',
        "rib\r\nContent-Type: text/html.pdf",
        "<script>alert(1)</script>.png",
        "é" * 300 + ".pdf",
        ".htaccess",
        "%2e%2e%2fpasswd",
    ]
) | st.text(min_size=1, max_size=80).filter(
    # the test client itself refuses to build these (Django's validate_file_name)
    lambda name: os.path.basename(name) not in {"", ".", ".."}
)
CONTENT = (
    st.binary(max_size=4096)
    | st.sampled_from([pdf_bytes(), png_bytes(), jpeg_bytes()])
    # a real signature followed by anything: the type is right, the file is not
    | st.builds(
        lambda head, tail: head + tail,
        st.sampled_from([b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"]),
        st.binary(max_size=512),
    )
)
FILE = st.builds(SimpleUploadedFile, HOSTILE_NAMES, CONTENT)
FILES = st.none() | FILE | st.lists(FILE, max_size=3)
DATES = st.sampled_from(
    [
        timezone.localdate().isoformat(),
        (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        "31/12/2099",
        "0001-01-01",
        "9999-12-31",
        "2025-02-30",
    ]
)
AMOUNTS = st.sampled_from(["1 000,00", "10000.00", "0,001", "1e5", "-5", "NaN", "9" * 30])
BIG_IDS = ["99999999999999999999", "-1", "0", "1.5"]


def fields(**plausible: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Each field: arbitrary text, or a value the form accepts so the services are reached too."""
    return st.fixed_dictionaries(
        {name: TEXT | strategy for name, strategy in plausible.items()},
        optional={"extra": TEXT, "company": TEXT, "author": TEXT, "status": TEXT},
    )


def ids(*values: object) -> st.SearchStrategy[str]:
    return st.sampled_from([str(value) for value in values] + BIG_IDS)


def stored_files() -> list[str]:
    return stored_names()


def state(company: Company) -> tuple[object, ...]:
    """Everything a form of the company space or of Mes équipes can write."""
    requests = ClientRequest.objects.filter(company=company)
    return (
        sorted(requests.values_list("pk", "status", "message", "details")),
        sorted(
            Attachment.objects.filter(request__company=company).values_list(
                "pk", "original_name", "review", "review_comment"
            )
        ),
        StatusChange.objects.filter(request__company=company).count(),
        stored_files(),
        sorted(
            Grant.objects.filter(membership__company=company).values_list("membership", "right")
        ),
        sorted(Membership.objects.filter(company=company).values_list("pk", "role", "status")),
        sorted(
            (pk, status, sorted(rights))
            for pk, status, rights in Invitation.objects.filter(company=company).values_list(
                "pk", "status", "rights"
            )
        ),
        sorted(
            RightsChange.objects.filter(membership__company=company, status="applied").values_list(
                "pk", flat=True
            )
        ),
        AccessAuthorisation.objects.filter(company=company).count(),
        list(LowBalanceAlert.objects.filter(company=company).values_list("threshold", "enabled")),
    )


def payload_of(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value is not None}


def refused(response: Any) -> bool:
    """A page with errors, or a redirect that carries an error message."""
    if response.status_code != 302:
        return True
    return any(message.level == ERROR for message in get_messages(response.wsgi_request))


def post_and_check(client: Client, url: str, data: dict[str, Any], company: Company) -> Any:
    # an earlier example's message, never shown (redirects are not followed), is no verdict on this
    # one: only what this request says counts
    client.cookies.pop("messages", None)
    before = state(company)

    response = client.post(url, payload_of(data))

    assert response.status_code in (200, 302, 400, 403, 404, 405, 410, 429)
    if refused(response):
        assert state(company) == before
    return response


def contract_of(company: Company, kind: str) -> int:
    return int(company.contracts.filter(kind=kind).values_list("pk", flat=True).first() or 0)


@pytest.fixture
def elsewhere(other_company) -> int:
    """Another company's CLUB contract: it must look like one that does not exist."""
    from tests.factories import ContractFactory

    return int(ContractFactory.create(company=other_company, kind=ContractKind.CLUB).pk)


# --- documents, fund operations, bank details, early buyout, treasury --------------------------


@FUZZ
@given(data=st.data())
def test_the_duplicate_request_form(admin_client, admin, data):
    contract = admin.company.contracts.first()
    document = contract.documents.first() or ContractDocumentFactory.create(contract=contract)
    values = data.draw(fields(subject=ids("contrat", document.pk), message=TEXT))

    post_and_check(
        admin_client,
        reverse("documents:duplicate", args=[admin.company_id, contract.pk]),
        values,
        admin.company,
    )


@FUZZ
@given(data=st.data())
def test_the_four_fund_operation_forms_and_their_hidden_operation_field(
    admin_client, admin, elsewhere, data
):
    club = contract_of(admin.company, ContractKind.CLUB)
    cbm = contract_of(admin.company, ContractKind.CBM)
    plausible = {"operation": st.sampled_from([*FUND_OPERATION_FORMS, "renonciation-", "DECOMPTE"])}
    for prefix in FUND_OPERATION_FORMS:
        plausible |= {
            f"{prefix}-contract": ids(club, cbm, elsewhere),
            f"{prefix}-scope": st.sampled_from(["total", "partiel"]),
            f"{prefix}-amount": AMOUNTS,
            **{f"{prefix}-{name}": DATES for name in ("effective_date", "desired_date")},
            **{f"{prefix}-{name}": DATES for name in ("repayment_date", "as_of_date")},
        }
    values = data.draw(fields(**plausible))

    post_and_check(
        admin_client,
        reverse("client_requests:fund_operations", args=[admin.company_id]),
        values,
        admin.company,
    )


@FUZZ
@given(data=st.data())
def test_the_bank_details_form(admin_client, admin, data):
    values = data.draw(
        fields(
            holder=st.sampled_from(["Atelier Durand SAS"]),
            iban=st.sampled_from(
                ["FR76 3000 6000 0112 3456 7890 189", "FR7630006000011234567890188"]
            ),
            bic=st.sampled_from(["BNPAFRPP", "BNPAFRPPXXX", "BNPA"]),
            proof_of_power=FILES,
        )
    )

    post_and_check(
        admin_client,
        reverse("client_requests:bank_details", args=[admin.company_id]),
        values,
        admin.company,
    )


@FUZZ
@given(data=st.data())
def test_the_early_buyout_form(admin_client, admin, elsewhere, data):
    values = data.draw(
        fields(
            contract=ids(
                contract_of(admin.company, ContractKind.CBM),
                contract_of(admin.company, ContractKind.LOCFI),
                contract_of(admin.company, ContractKind.CLUB),
                elsewhere,
            ),
            desired_date=DATES,
            proof_of_power=FILES,
        )
    )

    post_and_check(
        admin_client,
        reverse("client_requests:early_buyout", args=[admin.company_id]),
        values,
        admin.company,
    )


@FUZZ
@given(data=st.data())
def test_the_low_balance_alert_form(admin_client, admin, data):
    if not TreasurySubscription.objects.filter(company=admin.company).exists():
        TreasurySubscriptionFactory.create(
            company=admin.company, active_until=timezone.localdate() + datetime.timedelta(days=30)
        )
    values = data.draw(
        fields(threshold=AMOUNTS | st.sampled_from(["15 000,00", "0"]), enabled=TEXT)
    )

    post_and_check(
        admin_client, reverse("treasury:alert", args=[admin.company_id]), values, admin.company
    )


# --- the request pipeline ----------------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_the_company_request_form_as_draft_or_submitted(admin_client, admin, elsewhere, data):
    values = data.draw(
        fields(
            kind=st.sampled_from([*RequestKind.values, ""]),
            contract=ids(contract_of(admin.company, ContractKind.CLUB), elsewhere),
            subject=TEXT,
            description=st.sampled_from(["Un nouveau véhicule utilitaire."]),
            documents=FILES,
            action=st.sampled_from(["draft", "submit"]),
        )
    )

    post_and_check(
        admin_client,
        reverse("client_requests:company_requests", args=[admin.company_id]),
        values,
        admin.company,
    )


@pytest.fixture(params=[RequestKind.NEW_CONTRACT, RequestKind.EARLY_PURCHASE_OPTION])
def draft_kind(request):
    return request.param


@FUZZ
@given(data=st.data())
def test_completing_attaching_to_and_submitting_a_draft(admin_client, admin, draft_kind, data):
    draft = ClientRequest.objects.filter(
        company=admin.company, kind=draft_kind, status="draft"
    ).first() or make_request(membership=admin, kind=draft_kind, submit=False)
    values = data.draw(
        fields(
            subject=TEXT,
            message=TEXT,
            purpose=st.sampled_from([*AttachmentPurpose.values]),
            documents=FILES,
            action=st.sampled_from(["save", "submit"]),
        )
    )

    post_and_check(
        admin_client,
        reverse("client_requests:complete", args=[admin.company_id, draft.pk]),
        values,
        admin.company,
    )


@pytest.fixture
def support():
    return UserFactory.create(is_staff=True, is_superuser=True)


@FUZZ
@given(data=st.data())
def test_the_draft_documentation_review_form(admin_client, admin, support, data):
    draft = Attachment.objects.filter(request__company=admin.company, review="pending").first()
    if draft is None:
        submitted = make_request(membership=admin, submit=True)
        draft = bank_attachment_add(
            client_request=submitted,
            new_file=new_file("projet.pdf", purpose=AttachmentPurpose.DRAFT_DOCUMENTATION),
            by=support,
        )
    prefix = f"relecture-{draft.pk}"
    values = data.draw(
        fields(
            **{
                f"{prefix}-decision": st.sampled_from(["approve", "return"]),
                f"{prefix}-comment": TEXT,
            }
        )
    )

    post_and_check(
        admin_client,
        reverse("client_requests:review", args=[admin.company_id, draft.request_id, draft.pk]),
        values,
        admin.company,
    )


# --- Mes équipes: rights, signature code, suspend / reactivate / remove, invitation rights -------

RIGHTS = st.lists(st.sampled_from([*Right.values, "admin", "documents\x00"]), max_size=4)


@pytest.fixture
def member(collaborator_with):
    return collaborator_with(Right.DOCUMENTS, Right.TREASURY)


def member_url(name: str, admin: Membership, member: Membership, *extra: int) -> str:
    return reverse(f"teams:{name}", args=[admin.company_id, member.pk, *extra])


@FUZZ
@given(data=st.data())
def test_the_rights_review_form_changes_nothing(admin_client, admin, member, data):
    values = data.draw(fields(rights=RIGHTS))
    before = state(admin.company)

    response = admin_client.post(member_url("rights_review", admin, member), payload_of(values))

    assert response.status_code in (200, 302, 400)
    assert state(admin.company) == before


@FUZZ
@given(data=st.data())
def test_the_rights_removal_form(admin_client, admin, member, data):
    values = data.draw(fields(rights=RIGHTS))

    post_and_check(admin_client, member_url("rights_remove", admin, member), values, admin.company)


@FUZZ
@given(data=st.data())
def test_the_rights_addition_request_form_grants_nothing(admin_client, admin, member, data):
    values = data.draw(fields(rights=RIGHTS))
    before = state(admin.company)

    response = admin_client.post(member_url("rights_request", admin, member), payload_of(values))

    assert response.status_code in (200, 302, 400)
    # an addition only waits for a signature
    assert state(admin.company) == before


@FUZZ
@given(data=st.data())
def test_the_rights_signature_code_form(admin_client, admin, member, data):
    change = RightsChange.objects.filter(membership=member, challenge__isnull=False).first()
    if change is None:
        admin_client.post(
            member_url("rights_request", admin, member),
            {"rights": [Right.DOCUMENTS, Right.TREASURY, Right.BANK_DETAILS]},
        )
        change = RightsChange.objects.get(membership=member)
        admin_client.post(member_url("rights_send_code", admin, member, change.pk))
        change.refresh_from_db()
        assert change.challenge is not None
    values = data.draw(fields(code=st.from_regex(r"[0-9]{6}", fullmatch=True)))
    assume(values.get("code") != last_code())
    before = state(admin.company)

    response = admin_client.post(
        member_url("rights_sign", admin, member, change.pk), payload_of(values)
    )

    assert response.status_code in (200, 302, 400, 404)
    assert state(admin.company) == before


@pytest.mark.parametrize("action", ["member_suspend", "member_remove"])
@FUZZ
@given(data=st.data())
def test_an_administrator_cannot_suspend_or_remove_themselves_whatever_is_posted(
    admin_client, admin, member, action, data
):
    values = data.draw(
        fields(membership_id=ids(member.pk), confirm=TEXT, role=st.sampled_from(["admin"]))
    )
    before = state(admin.company)

    response = admin_client.post(member_url(action, admin, admin), payload_of(values))

    assert response.status_code == 302
    assert refused(response)
    assert state(admin.company) == before


@pytest.mark.parametrize("action", ["member_suspend", "member_reactivate", "member_remove"])
@FUZZ
@given(data=st.data())
def test_the_member_confirmations(admin_client, admin, member, action, data):
    values = data.draw(fields(membership_id=ids(admin.pk), confirm=TEXT))

    post_and_check(admin_client, member_url(action, admin, member), values, admin.company)
    assert Membership.objects.get(pk=admin.pk).status == "active"


@FUZZ
@given(data=st.data())
def test_the_invitation_rights_form(admin_client, admin, data):
    invitation = Invitation.objects.filter(company=admin.company).first() or create(admin)
    values = data.draw(fields(rights=RIGHTS))

    post_and_check(
        admin_client,
        reverse("invitations:edit_rights", args=[admin.company_id, invitation.pk]),
        values,
        admin.company,
    )
