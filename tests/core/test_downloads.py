import pytest

from core.downloads import content_download, download_name


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("pouvoir.pdf", "application/pdf", "pouvoir.pdf"),
        ("POUVOIR.PDF", "application/pdf", "POUVOIR.PDF"),
        ("x.html", "application/pdf", "x.pdf"),
        ("photo.jpeg", "image/jpeg", "photo.jpeg"),
        ("photo.png", "image/jpeg", "photo.jpg"),
        ("scan", "image/png", "scan.png"),
        ("rapport.2024", "application/pdf", "rapport.pdf"),
        ("prevision.csv", "text/csv; charset=utf-8", "prevision.csv"),
        ("", "application/pdf", "fichier.pdf"),
    ],
)
def test_a_download_is_named_with_the_extension_of_what_it_is(name, content_type, expected):
    assert download_name(name, content_type) == expected


def test_a_download_is_an_attachment_never_cached_nor_sniffed():
    response = content_download(b"%PDF-", filename="a.html", content_type="application/pdf")

    assert response["Content-Disposition"] == 'attachment; filename="a.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
