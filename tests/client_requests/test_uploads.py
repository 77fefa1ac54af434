import pytest
from django.core.exceptions import ValidationError

from client_requests.uploads import check_upload
from tests.client_requests.factories import upload


def test_a_pdf_is_accepted_with_its_type_read_from_the_content(pdf):
    checked = check_upload(upload("contrat.bin", pdf, content_type="text/plain"))

    assert checked.content_type == "application/pdf"
    assert checked.size == len(pdf)
    assert checked.original_name == "contrat.bin"


def test_a_png_is_accepted(png):
    assert check_upload(upload("photo.png", png)).content_type == "image/png"


def test_a_jpeg_is_accepted(jpeg):
    assert check_upload(upload("scan.jpg", jpeg)).content_type == "image/jpeg"


def test_a_wrong_type_is_refused_whatever_its_name():
    with pytest.raises(ValidationError) as error:
        check_upload(
            upload("facture.pdf", b"PK\x03\x04 a zip file", content_type="application/pdf")
        )

    assert error.value.code == "wrong_type"
    assert "PDF, JPEG, PNG" in error.value.messages[0]


def test_a_pdf_that_is_not_one_is_refused():
    with pytest.raises(ValidationError) as error:
        check_upload(upload("faux.pdf", b"%PDF-1.7\nnothing else here"))

    assert error.value.code == "unreadable"


def test_a_truncated_png_is_refused(png):
    with pytest.raises(ValidationError) as error:
        check_upload(upload("coupe.png", png[:20]))

    assert error.value.code == "unreadable"


def test_a_file_too_large_is_refused(settings, pdf):
    settings.UPLOAD_MAX_BYTES = len(pdf) - 1

    with pytest.raises(ValidationError) as error:
        check_upload(upload("gros.pdf", pdf))

    assert error.value.code == "too_large"
    assert "taille maximale" in error.value.messages[0]


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as error:
        check_upload(upload("vide.pdf", b""))

    assert error.value.code == "empty"


def test_a_path_in_the_name_is_dropped(png):
    assert check_upload(upload("../../etc/passwd.png", png)).original_name == "passwd.png"


def test_only_the_accepted_types_asked_for_pass(png):
    with pytest.raises(ValidationError):
        check_upload(upload("photo.png", png), accepted=("application/pdf",))
