"""HTML and script typed into the company space stay text: a request's subject and message, the
account holder of a RIB change, an uploaded file's name, a comment on draft documentation, support's
comment on a decision, and the names of members and companies. Escaped in the pages, in the emails
(status change, rights change, low-balance alert) and in the Django admin."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from client_requests.kinds import AttachmentPurpose, RequestKind
from client_requests.models import Attachment, ClientRequest, StatusChange
from client_requests.services import bank_attachment_add
from companies.models import ContractKind, Role
from permissions.catalogue import Right
from tests.client_requests.factories import make_request, new_file, pdf_bytes
from tests.factories import (
    CompanyFactory,
    ContractFactory,
    GrantFactory,
    MembershipFactory,
    UserFactory,
)
from tests.outbox import deliver
from tests.security.test_escaping import PAYLOADS, assert_escaped
from tests.teams.factories import request_change, request_code, sign
from tests.treasury.factories import (
    BankAccountFactory,
    CashFlowFactory,
    LowBalanceAlertFactory,
    TreasurySubscriptionFactory,
)
from treasury.models import FlowCategory
from treasury.services import low_balance_alert_send

pytestmark = pytest.mark.django_db


@pytest.fixture(params=PAYLOADS, ids=["script", "attribute", "svg"])
def payload(request):
    return request.param


@pytest.fixture
def evil_company(payload):
    company = CompanyFactory.create(name=f"SAS {payload}", has_entreprise_subscription=True)
    for kind in (ContractKind.CLUB, ContractKind.CBM, ContractKind.LOCFI):
        ContractFactory.create(company=company, kind=kind)
    return company


@pytest.fixture
def evil_admin(evil_company, payload):
    user = UserFactory.create(
        first_name=f"Claire {payload}", last_name=payload, mobile="+33612345642"
    )
    return MembershipFactory.create(user=user, company=evil_company, role=Role.ADMIN)


@pytest.fixture
def evil_member(evil_company, payload):
    user = UserFactory.create(first_name=f"Léa {payload}", last_name=payload)
    member = MembershipFactory.create(user=user, company=evil_company, role=Role.COLLABORATOR)
    GrantFactory.create(membership=member, right=Right.DOCUMENTS)
    return member


@pytest.fixture
def admin_browser(client_for, evil_admin):
    return client_for(evil_admin.user)


@pytest.fixture
def support_browser(client_for):
    return client_for(UserFactory.create(is_staff=True, is_superuser=True))


def evil_pdf(payload: str) -> SimpleUploadedFile:
    # the browser sends only the last path segment of a name: keep what follows a "/"
    return SimpleUploadedFile(f"{payload}.pdf", pdf_bytes(), content_type="text/html")


def company_request_through_the_form(client, company, payload, *, action="draft"):
    response = client.post(
        reverse("client_requests:company_requests", args=[company.pk]),
        {
            "kind": RequestKind.NEW_CONTRACT,
            "subject": payload,
            "description": f"Bonjour {payload}",
            "documents": [evil_pdf(payload)],
            "action": action,
        },
    )
    assert response.status_code == 302, response.content
    return ClientRequest.objects.filter(company=company).latest("pk")


def rib_change_through_the_form(client, company, payload):
    response = client.post(
        reverse("client_requests:bank_details", args=[company.pk]),
        {
            "holder": payload,
            "iban": "FR76 3000 6000 0112 3456 7890 189",
            "bic": "BNPAFRPP",
            "proof_of_power": evil_pdf(payload),
        },
    )
    assert response.status_code == 302, response.content
    return ClientRequest.objects.filter(company=company, kind=RequestKind.BANK_DETAILS_CHANGE).get()


def assert_pages_escaped(client, urls, payload):
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.text, payload)


def test_a_requests_subject_message_and_file_names_are_escaped_in_the_pages(
    admin_browser, evil_admin, payload
):
    company = evil_admin.company
    draft = company_request_through_the_form(admin_browser, company, payload)
    attachment = draft.attachments.get()
    assert payload.rsplit("/", 1)[-1] in attachment.original_name

    detail = reverse("client_requests:detail", args=[company.pk, draft.pk])
    assert_pages_escaped(
        admin_browser,
        [
            reverse("client_requests:index", args=[company.pk]),
            reverse("client_requests:company_requests", args=[company.pk]),
            detail,
            reverse("portal:company_home", args=[company.pk]),
        ],
        payload,
    )
    assert "&lt;" in admin_browser.get(detail).text


def test_the_account_holder_and_proof_name_are_escaped_in_the_pages(
    admin_browser, evil_admin, payload
):
    company = evil_admin.company
    rib = rib_change_through_the_form(admin_browser, company, payload)

    assert_pages_escaped(
        admin_browser,
        [
            reverse("client_requests:bank_details", args=[company.pk]),
            reverse("client_requests:detail", args=[company.pk, rib.pk]),
            reverse("client_requests:index", args=[company.pk]),
        ],
        payload,
    )


def test_a_refused_upload_names_the_file_escaped(admin_browser, evil_admin, payload):
    response = admin_browser.post(
        reverse("client_requests:company_requests", args=[evil_admin.company_id]),
        {
            "kind": RequestKind.NEW_CONTRACT,
            "subject": payload,
            "description": payload,
            "documents": [SimpleUploadedFile(f"{payload}.pdf", b"<html>not a pdf</html>")],
            "action": "submit",
        },
    )

    assert response.status_code == 400
    assert "illisible" in response.text or "pas accepté" in response.text
    assert_escaped(response.text, payload)


def test_a_completed_draft_with_errors_comes_back_escaped(admin_browser, evil_admin, payload):
    draft = make_request(membership=evil_admin, details={"subject": payload}, message=payload)

    response = admin_browser.post(
        reverse("client_requests:complete", args=[evil_admin.company_id, draft.pk]),
        {"subject": payload, "message": payload * 200, "action": "submit"},
    )

    assert response.status_code == 400
    assert_escaped(response.text, payload)


def test_a_draft_review_comment_is_escaped_in_the_page_and_the_admin(
    admin_browser, support_browser, evil_admin, payload
):
    submitted = make_request(membership=evil_admin, submit=True)
    draft = bank_attachment_add(
        client_request=submitted,
        new_file=new_file(f"{payload}.pdf", purpose=AttachmentPurpose.DRAFT_DOCUMENTATION),
        by=UserFactory.create(is_staff=True),
    )
    prefix = f"relecture-{draft.pk}"
    response = admin_browser.post(
        reverse("client_requests:review", args=[evil_admin.company_id, submitted.pk, draft.pk]),
        {f"{prefix}-decision": "return", f"{prefix}-comment": payload},
    )
    assert response.status_code == 302
    assert Attachment.objects.get(pk=draft.pk).review_comment == payload

    assert_pages_escaped(
        admin_browser,
        [reverse("client_requests:detail", args=[evil_admin.company_id, submitted.pk])],
        payload,
    )
    assert_pages_escaped(
        support_browser,
        [
            reverse("admin:client_requests_clientrequest_change", args=[submitted.pk]),
            reverse("admin:client_requests_clientrequest_changelist"),
        ],
        payload,
    )


def test_supports_comment_is_escaped_in_the_admin_the_page_and_the_status_email(
    admin_browser, support_browser, evil_admin, payload
):
    company = evil_admin.company
    rib = rib_change_through_the_form(admin_browser, company, payload)
    response = support_browser.post(
        reverse("admin:client_requests_clientrequest_decision", args=[rib.pk]),
        {
            "to_status": "refused",
            "comment": f"Refusé : {payload}",
            "reason": f"motif du refus {payload}",
        },
    )
    assert response.status_code == 302
    change = StatusChange.objects.get(request=rib, to_status="refused")
    assert change.comment == f"Refusé : {payload}"

    assert_pages_escaped(
        support_browser,
        [
            reverse("admin:client_requests_clientrequest_change", args=[rib.pk]),
            reverse("admin:client_requests_clientrequest_changelist"),
            reverse("admin:client_requests_clientrequest_changelist") + f"?q={payload}",
        ],
        payload,
    )
    assert_pages_escaped(
        admin_browser,
        [
            reverse("client_requests:detail", args=[company.pk, rib.pk]),
            reverse("audit:journal", args=[company.pk]),  # support's reason, in the journal
        ],
        payload,
    )
    mail.outbox.clear()
    assert deliver(about_id=str(change.pk)) >= 1
    for message in mail.outbox:
        [(html, _mimetype)] = message.alternatives
        assert_escaped(str(html), payload)
        assert "&lt;" in str(html)
        assert "\n" not in message.subject


def test_names_are_escaped_in_the_rights_change_pages(
    admin_browser, evil_admin, evil_member, payload
):
    company_id = evil_admin.company_id
    member_pages = [
        reverse(f"teams:{name}", args=[company_id, evil_member.pk])
        for name in ("member", "member_suspend", "member_reactivate", "member_remove")
    ]
    assert_pages_escaped(admin_browser, member_pages, payload)
    review = admin_browser.post(
        reverse("teams:rights_review", args=[company_id, evil_member.pk]),
        {"rights": [Right.DOCUMENTS, Right.BANK_DETAILS]},
    )
    assert review.status_code == 200
    assert_escaped(review.text, payload)
    admin_browser.post(
        reverse("teams:rights_request", args=[company_id, evil_member.pk]),
        {"rights": [Right.DOCUMENTS, Right.BANK_DETAILS]},
    )
    change = evil_member.rights_changes.get()
    assert_pages_escaped(
        admin_browser,
        [reverse("teams:rights_sign", args=[company_id, evil_member.pk, change.pk])],
        payload,
    )


def test_names_are_escaped_in_the_rights_change_emails_and_the_signed_statement(
    evil_admin, evil_member, support_browser, payload
):
    change = request_change(evil_admin, evil_member, Right.DOCUMENTS, Right.BANK_DETAILS)
    request_code(evil_admin, change)
    signed = sign(evil_admin, change)
    mail.outbox.clear()

    assert deliver(about_id=str(signed.pk), template__startswith="teams/") >= 2

    assert len(mail.outbox) >= 2
    for message in mail.outbox:
        [(html, _mimetype)] = message.alternatives
        assert_escaped(str(html), payload)
        assert "&lt;" in str(html)
        assert "\n" not in message.subject
    assert payload in signed.authorisation.statement
    assert_pages_escaped(
        support_browser,
        [reverse("admin:otp_accessauthorisation_change", args=[signed.authorisation.pk])],
        payload,
    )


def test_names_are_escaped_in_the_low_balance_alert_email(evil_admin, payload):
    today = timezone.localdate()
    company = evil_admin.company
    TreasurySubscriptionFactory.create(
        company=company, active_until=today + datetime.timedelta(days=30)
    )
    BankAccountFactory.create(company=company, balance=Decimal("20000"))
    CashFlowFactory.create(
        company=company,
        flow_date=today + datetime.timedelta(days=8),
        label=payload,
        amount=Decimal("-12000"),
        category=FlowCategory.PAYROLL,
    )
    alert = LowBalanceAlertFactory.create(
        company=company, recipient=evil_admin.user, threshold=Decimal("10000")
    )

    assert low_balance_alert_send(alert_id=alert.pk, today=today, now=timezone.now())
    deliver()

    [message] = mail.outbox
    [(html, _mimetype)] = message.alternatives
    assert_escaped(str(html), payload)
    assert "&lt;" in str(html)
    assert "\n" not in message.subject


def test_names_reach_the_amortisation_pdf_as_text_not_markup(
    admin_browser, evil_admin, payload, monkeypatch
):
    import weasyprint

    rendered: list[str] = []
    real_html = weasyprint.HTML

    def capture(*args, **kwargs):
        rendered.append(kwargs.get("string", ""))
        return real_html(*args, **kwargs)

    # markup in the HTML handed to WeasyPrint would be fetched (img src) or laid out
    monkeypatch.setattr(weasyprint, "HTML", capture)
    contract = ContractFactory.create(
        company=evil_admin.company, kind=ContractKind.LOAN, reference=payload[:40]
    )

    response = admin_browser.get(
        reverse("documents:amortisation_pdf", args=[evil_admin.company_id, contract.pk])
    )

    assert response.status_code == 200
    [html] = rendered
    assert_escaped(html, payload)
    assert "&lt;" in html
