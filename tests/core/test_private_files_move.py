"""`manage.py private_files_move`: a folder's private files copied into the database store, each
checked by its SHA-256; run again, it copies nothing twice."""

import hashlib
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from core.models import StoredFile
from core.storage import private_backend

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    settings.PRIVATE_STORAGE = "database"
    (tmp_path / "requests" / "7").mkdir(parents=True)
    (tmp_path / "requests" / "7" / "aaa").write_bytes(b"%PDF-1.7 proof")
    (tmp_path / "documents" / "3").mkdir(parents=True)
    (tmp_path / "documents" / "3" / "bbb").write_bytes(bytes(range(256)) * 9000)
    return tmp_path


def move(*args: str) -> str:
    out = StringIO()
    call_command("private_files_move", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_every_file_is_copied_under_its_name_with_its_sha256(folder):
    report = move()

    assert "Copied: 2; already in the store: 0; conflicts: 0; failed: 0." in report
    for name in ("requests/7/aaa", "documents/3/bbb"):
        content = (folder / name).read_bytes()
        stored = StoredFile.objects.get(name=name)
        assert stored.sha256 == hashlib.sha256(content).hexdigest()
        assert private_backend().open(name).read() == content
    assert (folder / "requests" / "7" / "aaa").exists()  # the folder is left as it was


def test_a_second_run_copies_nothing(folder):
    move()

    report = move()

    assert "Copied: 0; already in the store: 2; conflicts: 0; failed: 0." in report
    assert StoredFile.objects.count() == 2


def test_another_content_under_the_same_name_is_reported_not_overwritten(folder):
    private_backend().save("requests/7/aaa", ContentFile(b"something else"))

    with pytest.raises(CommandError, match="not moved"):
        move()

    assert private_backend().open("requests/7/aaa").read() == b"something else"
    assert StoredFile.objects.filter(name="documents/3/bbb").exists()


def test_moving_a_folder_into_itself_is_refused(folder, settings):
    settings.PRIVATE_STORAGE = "filesystem"

    with pytest.raises(CommandError, match="nothing to move"):
        move()


def test_an_other_folder_can_be_named(folder, tmp_path_factory):
    other = tmp_path_factory.mktemp("old")
    (other / "x").write_bytes(b"old file")

    report = move("--source", str(other))

    assert "Copied: 1;" in report
    assert private_backend().open("x").read() == b"old file"
