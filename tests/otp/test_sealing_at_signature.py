"""The authorisation's sealed PDF is made by a worker right after the signature commits, once,
and every download then serves that stored file as it is (the document is evidence: it never
changes, a later closure included)."""

import datetime

import pytest
from django.core.files.storage import storages
from django.urls import reverse

from core.seal import SealStatus, seal_verify
from otp import tasks
from otp.models import AccessAuthorisation, ClosingReason
from otp.services import authorisation_close, authorisation_sealed_bytes
from otp.services import sealing as sealing_service
from otp.services.authorisations import AUTHORISATION_SEAL
from tests.conftest import logged_in_client
from tests.invitations.factories import signed
from tests.otp.authorisations import signed_authorisation
from tests.otp.factories import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch) -> list[str]:
    """Every rendering of an authorisation PDF, by id (the slow part the stored file avoids)."""
    calls: list[str] = []
    render = sealing_service.authorisation_pdf

    def counting(*, authorisation: AccessAuthorisation) -> bytes:
        calls.append(str(authorisation.pk))
        return render(authorisation=authorisation)

    monkeypatch.setattr(sealing_service, "authorisation_pdf", counting)
    return calls


def signed_with_tasks_run(admin, django_capture_on_commit_callbacks) -> AccessAuthorisation:
    """Signed, then its seal task run as the worker runs it once the signature is committed."""
    with django_capture_on_commit_callbacks() as callbacks:
        invitation = signed(admin)
    for callback in callbacks:
        if callback.args[0] == AUTHORISATION_SEAL:
            tasks.authorisation_seal.apply(
                kwargs={"authorisation_id": callback.keywords["authorisation_id"]}
            )
    assert invitation.authorisation is not None
    invitation.authorisation.refresh_from_db()
    return invitation.authorisation


def stored_files(authorisation: AccessAuthorisation) -> list[str]:
    _folders, names = storages["private"].listdir("authorisations")
    return [name for name in names if name.startswith(str(authorisation.pk))]


def test_the_signature_queues_the_seal_after_commit(admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        invitation = signed(admin)

    assert invitation.authorisation is not None
    # priority 9, the lowest on Redis: the invitation's email leaves first
    seal = {"authorisation_id": str(invitation.authorisation.pk), "priority": 9}
    assert (AUTHORISATION_SEAL, seal) in [
        (callback.args[0], callback.keywords) for callback in callbacks
    ]
    assert tasks.authorisation_seal.name == AUTHORISATION_SEAL


def test_with_tasks_in_process_the_signature_does_not_wait_for_the_pdf(
    admin, eager_tasks, renders, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invitation = signed(admin)

    assert invitation.authorisation is not None
    assert AUTHORISATION_SEAL not in [callback.args[0] for callback in callbacks]
    assert renders == []
    invitation.authorisation.refresh_from_db()
    assert not invitation.authorisation.sealed_pdf


def test_after_signing_the_sealed_pdf_is_stored(admin, renders, django_capture_on_commit_callbacks):
    authorisation = signed_with_tasks_run(admin, django_capture_on_commit_callbacks)

    assert authorisation.sealed_pdf == f"authorisations/{authorisation.pk}.pdf"
    assert authorisation.sealed_at is not None
    assert authorisation.sealed_pdf_sha256
    assert renders == [str(authorisation.pk)]


def test_the_stored_seal_verifies(admin, django_capture_on_commit_callbacks):
    authorisation = signed_with_tasks_run(admin, django_capture_on_commit_callbacks)

    with storages["private"].open(authorisation.sealed_pdf, "rb") as stored:
        content = stored.read()

    assert seal_verify(content).status == SealStatus.VALID


def test_a_download_serves_the_stored_file_without_rendering(
    admin, renders, django_capture_on_commit_callbacks
):
    authorisation = signed_with_tasks_run(admin, django_capture_on_commit_callbacks)
    renders.clear()
    url = reverse("teams:authorisation_download", args=[admin.company_id, authorisation.pk])

    response = logged_in_client(admin.user).get(url)

    content = b"".join(response.streaming_content)
    with storages["private"].open(authorisation.sealed_pdf, "rb") as stored:
        assert content == stored.read()
    assert renders == []


def test_the_task_run_twice_stores_one_file(admin, renders, django_capture_on_commit_callbacks):
    authorisation = signed_with_tasks_run(admin, django_capture_on_commit_callbacks)
    sha256 = authorisation.sealed_pdf_sha256

    again = tasks.authorisation_seal.apply(kwargs={"authorisation_id": str(authorisation.pk)})

    assert again.get() == authorisation.sealed_pdf
    authorisation.refresh_from_db()
    assert authorisation.sealed_pdf_sha256 == sha256
    assert stored_files(authorisation) == [f"{authorisation.pk}.pdf"]
    assert renders == [str(authorisation.pk)]


def test_a_download_before_the_task_ran_seals_it_and_the_task_then_does_nothing(admin, renders):
    authorisation = signed_authorisation(admin)  # its task not run (no worker)
    url = reverse("teams:authorisation_download", args=[admin.company_id, authorisation.pk])

    response = logged_in_client(admin.user).get(url)
    first = b"".join(response.streaming_content)
    tasks.authorisation_seal.apply(kwargs={"authorisation_id": str(authorisation.pk)})

    assert response.status_code == 200
    assert seal_verify(first).status == SealStatus.VALID
    assert authorisation_sealed_bytes(authorisation=authorisation) == first
    assert stored_files(authorisation) == [f"{authorisation.pk}.pdf"]
    assert renders == [str(authorisation.pk)]


def test_a_closure_after_the_signature_leaves_the_sealed_pdf_as_signed(
    admin, django_capture_on_commit_callbacks
):
    authorisation = signed_with_tasks_run(admin, django_capture_on_commit_callbacks)
    before = authorisation_sealed_bytes(authorisation=authorisation)

    authorisation_close(
        company_id=authorisation.company_id,
        subject_email=authorisation.subject_email,
        reason=ClosingReason.INVITATION_REVOKED,
        now=NOW + datetime.timedelta(days=1),
    )
    authorisation.refresh_from_db()

    assert authorisation.closed_at is not None
    assert authorisation_sealed_bytes(authorisation=authorisation) == before
