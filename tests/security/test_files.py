"""The company's files (proofs of power, supporting documents, the bank's drafts, contract documents)
and the exports: a hostile name neither escapes the private directory nor forges a header; a
download is always an attachment of the type checked on upload, never sniffed nor cached; and no
stored file answers under /static/, /media/ or any other public URL.

Other companies' files are walked in tests/security/test_url_walk.py and
tests/permissions/test_matrix.py; this module covers the names, headers and public URLs."""

import email.message
import json
import re
import secrets
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.static import serve

from client_requests.kinds import AttachmentPurpose, RequestKind
from client_requests.models import Attachment
from client_requests.services import bank_attachment_add
from core.downloads import download_name
from tests.client_requests.factories import make_request, new_file, pdf_bytes, png_bytes
from tests.documents.factories import ContractDocumentFactory
from tests.factories import ContractFactory, UserFactory
from tests.security.test_deploy_settings import _manage
from tests.treasury.factories import TreasurySubscriptionFactory

pytestmark = pytest.mark.django_db

STORED_NAME = re.compile(r"^(requests|contracts)/[0-9]+/[0-9a-f]{32}$")
TRAVERSALS = [
    "../../../../tmp/evil.pdf",
    "..\\..\\..\\evil.pdf",
    "/etc/passwd",
    "....//....//evil.pdf",
    "%2e%2e%2f%2e%2e%2fevil.pdf",
    "a\x00b/../../evil.pdf",
]
HEADER_BREAKERS = [
    'devis"; filename="evil.html',
    "devis\r\nSet-Cookie: sessionid=stolen.pdf",
    "devis\nX-Injected: 1.pdf",
    "devis\rX-Injected: 1.pdf",
    "devis;filename*=UTF-8''evil.html.pdf",
    'devis\\"x.pdf',
    "déçu € — «devis».pdf",
]


def disposition(response) -> tuple[str, list[tuple[str, str]], str | None]:
    """The Content-Disposition as a mail client or a browser parses it."""
    header = response["Content-Disposition"]
    assert "\r" not in header
    assert "\n" not in header
    parsed = email.message.Message()
    parsed["Content-Disposition"] = header
    params = parsed.get_params(header="Content-Disposition") or []
    return params[0][0], params[1:], parsed.get_filename()


def assert_a_private_download(response, *, content_type: str) -> None:
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    kind, params, _filename = disposition(response)
    assert kind == "attachment"
    names = [name for name, _value in params if name.startswith("filename")]
    assert len(names) == 1, params
    assert not response.has_header("Set-Cookie") or "stolen" not in response["Set-Cookie"]
    assert not response.has_header("X-Injected")


def download_url(attachment: Attachment) -> str:
    return reverse(
        "client_requests:attachment",
        args=[attachment.request.company_id, attachment.request_id, attachment.pk],
    )


@pytest.fixture
def folder_store(settings):
    """The folder store (the suite keeps files in the database): where a file lands on disk."""
    settings.PRIVATE_STORAGE = "filesystem"


def stored_path(attachment: Attachment) -> Path:
    return Path(attachment.file.path).resolve()


# --- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", TRAVERSALS)
def test_a_traversal_in_a_file_name_stays_in_the_private_directory(admin, name, folder_store):
    draft = make_request(membership=admin, files=(new_file(name),))

    attachment = draft.attachments.get()

    assert STORED_NAME.match(attachment.file.name)
    assert stored_path(attachment).is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve())
    assert "/" not in attachment.original_name
    assert "\\" not in attachment.original_name
    assert attachment.original_name not in {"", ".", ".."}
    assert all(character.isprintable() for character in attachment.original_name)


@pytest.mark.parametrize("name", ["../../../../tmp/evil.pdf", "..\\..\\evil.pdf"])
def test_a_traversal_sent_by_a_browser_stays_in_the_private_directory(admin_client, admin, name):
    response = admin_client.post(
        reverse("client_requests:company_requests", args=[admin.company_id]),
        {
            "kind": RequestKind.NEW_CONTRACT,
            "subject": "Objet",
            "description": "Description",
            "documents": [SimpleUploadedFile(name, pdf_bytes())],
            "action": "draft",
        },
    )

    assert response.status_code == 302
    attachment = Attachment.objects.get(request__company=admin.company)
    assert STORED_NAME.match(attachment.file.name)
    assert "/" not in attachment.original_name
    assert "\\" not in attachment.original_name


@pytest.mark.parametrize("name", TRAVERSALS)
def test_a_traversal_in_a_contract_documents_name_stays_in_the_private_directory(
    company, name, folder_store
):
    document = ContractDocumentFactory.create(
        contract=company.contracts.first(), upload=SimpleUploadedFile(name, pdf_bytes())
    )

    assert STORED_NAME.match(document.file.name)
    assert (
        Path(document.file.path)
        .resolve()
        .is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve())
    )
    assert "/" not in document.original_name
    assert "\\" not in document.original_name


# --- headers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", HEADER_BREAKERS)
def test_a_hostile_name_cannot_forge_the_download_headers(admin_client, admin, name):
    draft = make_request(membership=admin, files=(new_file(name),))
    attachment = draft.attachments.get()

    response = admin_client.get(download_url(attachment))

    assert_a_private_download(response, content_type="application/pdf")
    _kind, _params, filename = disposition(response)
    # the name as typed, with the extension of what the file really is
    assert filename == download_name(attachment.original_name, attachment.content_type)


@pytest.mark.parametrize("name", HEADER_BREAKERS)
def test_a_hostile_name_cannot_forge_the_headers_of_supports_download(client_for, admin, name):
    draft = make_request(membership=admin, files=(new_file(name),), submit=True)
    attachment = draft.attachments.get()
    support = client_for(UserFactory.create(is_staff=True, is_superuser=True))

    response = support.get(
        reverse("admin:client_requests_clientrequest_attachment", args=[draft.pk, attachment.pk])
    )

    assert_a_private_download(response, content_type="application/pdf")
    assert disposition(response)[2] == download_name(
        attachment.original_name, attachment.content_type
    )


@pytest.mark.parametrize("name", HEADER_BREAKERS)
def test_a_hostile_name_cannot_forge_the_headers_of_a_contract_document(
    admin_client, company, name
):
    contract = company.contracts.first()
    document = ContractDocumentFactory.create(
        contract=contract, upload=SimpleUploadedFile(name, pdf_bytes())
    )

    response = admin_client.get(
        reverse("documents:download", args=[company.pk, contract.pk, document.pk])
    )

    assert_a_private_download(response, content_type="application/pdf")
    assert disposition(response)[2] == download_name(document.original_name, document.content_type)


@pytest.mark.parametrize(
    "reference",
    ['PRT";filename="evil.html', "PRT-2024\r\nSet-Cookie: sessionid=stolen", "PRT-É/2024"],
)
@pytest.mark.parametrize("export", ["amortisation_csv", "amortisation_pdf"])
def test_a_contract_reference_cannot_forge_the_export_headers(
    admin_client, company, reference, export
):
    contract = ContractFactory.create(company=company, reference=reference)

    response = admin_client.get(reverse(f"documents:{export}", args=[company.pk, contract.pk]))

    content_type = "text/csv" if export.endswith("csv") else "application/pdf"
    assert_a_private_download(response, content_type=content_type)
    filename = disposition(response)[2] or ""
    assert filename.endswith(content_type.rsplit("/", 1)[-1])
    assert '"' not in filename
    assert "/" not in filename


# --- types --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "declared", "checked"),
    [
        ("page.html", pdf_bytes(), "text/html", "application/pdf"),
        ("image.pdf", png_bytes(), "application/pdf", "image/png"),
        ("script.svg", png_bytes(), "image/svg+xml", "image/png"),
    ],
)
def test_a_download_has_the_type_read_from_the_content_not_the_one_the_browser_sent(
    admin_client, admin, name, content, declared, checked
):
    admin_client.post(
        reverse("client_requests:company_requests", args=[admin.company_id]),
        {
            "kind": RequestKind.NEW_CONTRACT,
            "subject": "Objet",
            "description": "Description",
            "documents": [SimpleUploadedFile(name, content, content_type=declared)],
            "action": "draft",
        },
    )
    attachment = Attachment.objects.get(request__company=admin.company)

    response = admin_client.get(download_url(attachment))

    assert attachment.content_type == checked
    assert_a_private_download(response, content_type=checked)
    assert b"".join(response.streaming_content) == content


def test_the_banks_draft_documentation_downloads_as_its_checked_type(admin_client, admin):
    submitted = make_request(membership=admin, submit=True)
    draft = bank_attachment_add(
        client_request=submitted,
        new_file=new_file("projet.html", png_bytes(), AttachmentPurpose.DRAFT_DOCUMENTATION),
        by=UserFactory.create(is_staff=True),
    )

    response = admin_client.get(download_url(draft))

    assert_a_private_download(response, content_type="image/png")


def test_the_treasury_export_is_a_private_download(admin_client, company):
    TreasurySubscriptionFactory.create(company=company)

    response = admin_client.get(reverse("treasury:export", args=[company.pk]))

    assert_a_private_download(response, content_type="text/csv")


# --- no public URL ------------------------------------------------------------------------------


def _stored_files(admin) -> list[str]:
    draft = make_request(
        membership=admin,
        kind=RequestKind.NEW_CONTRACT,
        files=(new_file("devis.pdf"), new_file("photo.png", png_bytes())),
    )
    document = ContractDocumentFactory.create(contract=admin.company.contracts.first())
    return [str(a.file.name) for a in draft.attachments.all()] + [str(document.file.name)]


@pytest.mark.parametrize(
    "prefix", ["/static/", "/media/", "/var/private/", "/private/", "/", "/static/../var/private/"]
)
def test_a_stored_file_has_no_public_url(admin_client, client, admin, prefix):
    for name in _stored_files(admin):
        for visitor in (admin_client, client):
            response = visitor.get(prefix + name)

            assert response.status_code in (302, 404), prefix + name
            assert b"%PDF" not in response.content
            assert b"PNG" not in response.content


def test_no_url_serves_files_from_a_directory():
    def views(patterns) -> list[object]:
        found: list[object] = []
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                found += views(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                found.append(pattern.callback)
        return found

    assert serve not in views(get_resolver().url_patterns)


def _public_directories(values: dict[str, object]) -> list[Path]:
    directories = [values["STATIC_ROOT"], *values["STATICFILES_DIRS"]]  # type: ignore[misc]
    directories += [values[name] for name in ("MEDIA_ROOT", "WHITENOISE_ROOT") if values[name]]
    return [Path(str(directory)).resolve() for directory in directories]


def test_the_private_directory_is_outside_every_public_one_in_production():
    result = _manage(
        "shell",
        "-c",
        "import json; from django.conf import settings; print(json.dumps({"
        "'PRIVATE_MEDIA_ROOT': str(settings.PRIVATE_MEDIA_ROOT), "
        "'STATIC_ROOT': str(settings.STATIC_ROOT), "
        "'STATICFILES_DIRS': [str(d) for d in settings.STATICFILES_DIRS], "
        "'MEDIA_ROOT': str(settings.MEDIA_ROOT), "
        "'WHITENOISE_ROOT': str(getattr(settings, 'WHITENOISE_ROOT', '') or '')}))",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    private = Path(values["PRIVATE_MEDIA_ROOT"]).resolve()

    for public in _public_directories(values):
        assert not private.is_relative_to(public), public
        assert not public.is_relative_to(private), public


def test_the_private_directory_is_outside_every_public_one_in_the_tests():
    private = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    values = {
        "STATIC_ROOT": settings.STATIC_ROOT,
        "STATICFILES_DIRS": settings.STATICFILES_DIRS,
        "MEDIA_ROOT": settings.MEDIA_ROOT,
        "WHITENOISE_ROOT": getattr(settings, "WHITENOISE_ROOT", None),
    }

    for public in _public_directories(values):
        assert not private.is_relative_to(public), public
