"""The signed review's sealed PDF is made by a worker right after the signature commits, once,
and every download then serves that stored file as it is; a download before the task ran makes
it itself, and the task then stores nothing more."""

import pytest
from django.core.files.storage import storages
from django.urls import reverse

from core.seal import SealStatus, seal_verify
from reviews import tasks
from reviews.models import AccessReview
from reviews.services import pdf as pdf_service
from reviews.services.signing import REVIEW_PDF_STORE
from tests.reviews.factories import open_review, request_code, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch) -> list[int]:
    """Every rendering of a review PDF, by id (the slow part the stored file avoids)."""
    calls: list[int] = []
    render = pdf_service.review_pdf

    def counting(*, review: AccessReview) -> bytes:
        calls.append(review.pk)
        return render(review=review)

    monkeypatch.setattr(pdf_service, "review_pdf", counting)
    return calls


def signed_review(admin, django_capture_on_commit_callbacks) -> tuple[AccessReview, list]:
    review = open_review(admin)
    request_code(admin, review)
    with django_capture_on_commit_callbacks() as callbacks:
        signed = sign(admin, review)
    return signed, [c for c in callbacks if c.args and c.args[0] == REVIEW_PDF_STORE]


def signed_with_task_run(admin, django_capture_on_commit_callbacks) -> AccessReview:
    """Signed, then its PDF task run as the worker runs it once the signature is committed."""
    review, callbacks = signed_review(admin, django_capture_on_commit_callbacks)
    for callback in callbacks:
        tasks.review_pdf_store.apply(kwargs={"review_id": callback.keywords["review_id"]})
    review.refresh_from_db()
    return review


def stored_files(review: AccessReview) -> list[str]:
    _folders, names = storages["private"].listdir("access_reviews")
    return [name for name in names if name.split(".")[0].split("_")[0] == str(review.pk)]


def test_the_signature_queues_the_pdf_after_commit_at_the_lowest_priority(
    admin, django_capture_on_commit_callbacks
):
    review, callbacks = signed_review(admin, django_capture_on_commit_callbacks)

    assert [c.keywords for c in callbacks] == [{"review_id": review.pk, "priority": 9}]
    assert tasks.review_pdf_store.name == REVIEW_PDF_STORE


def test_with_tasks_in_process_the_signature_does_not_wait_for_the_pdf(
    admin, eager_tasks, renders, django_capture_on_commit_callbacks
):
    review, callbacks = signed_review(admin, django_capture_on_commit_callbacks)

    assert callbacks == []
    assert renders == []
    review.refresh_from_db()
    assert not review.pdf


def test_after_signing_the_sealed_pdf_is_stored(admin, renders, django_capture_on_commit_callbacks):
    review = signed_with_task_run(admin, django_capture_on_commit_callbacks)

    assert review.pdf == f"access_reviews/{review.pk}.pdf"
    assert len(review.pdf_sha256) == 64
    assert renders == [review.pk]
    with storages["private"].open(review.pdf, "rb") as stored:
        assert seal_verify(stored.read()).status == SealStatus.VALID


def test_a_download_serves_the_stored_file_without_rendering(
    admin, admin_client, renders, django_capture_on_commit_callbacks
):
    review = signed_with_task_run(admin, django_capture_on_commit_callbacks)
    renders.clear()

    response = admin_client.get(reverse("reviews:pdf", args=[admin.company.pk, review.pk]))

    assert response.status_code == 200
    with storages["private"].open(review.pdf, "rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()
    assert renders == []


def test_the_task_run_twice_stores_one_file(admin, renders, django_capture_on_commit_callbacks):
    review = signed_with_task_run(admin, django_capture_on_commit_callbacks)

    again = tasks.review_pdf_store.apply(kwargs={"review_id": review.pk})

    assert again.get() == review.pdf
    review.refresh_from_db()
    assert stored_files(review) == [f"{review.pk}.pdf"]
    assert renders == [review.pk]


def test_a_download_before_the_task_ran_makes_the_file_and_the_task_then_does_nothing(
    admin, admin_client, renders, django_capture_on_commit_callbacks
):
    review, _callbacks = signed_review(admin, django_capture_on_commit_callbacks)  # no worker

    response = admin_client.get(reverse("reviews:pdf", args=[admin.company.pk, review.pk]))
    first = b"".join(response.streaming_content)
    tasks.review_pdf_store.apply(kwargs={"review_id": review.pk})

    assert response.status_code == 200
    assert seal_verify(first).status == SealStatus.VALID
    review.refresh_from_db()
    with storages["private"].open(review.pdf, "rb") as stored:
        assert stored.read() == first
    assert stored_files(review) == [f"{review.pk}.pdf"]
    assert renders == [review.pk]
