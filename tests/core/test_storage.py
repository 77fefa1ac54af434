"""The private files' stores: the database one (every node reads it) and the folder one."""

import hashlib
import os

import pytest
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.downloads import file_download
from core.models import StoredFile, StoredFileChunk
from core.storage import DatabaseStorage, PrivateStorage, private_backend

pytestmark = pytest.mark.django_db

CONTENT = bytes(range(256)) * 41  # 10,496 bytes: ten chunks of 1,024 and a shorter last one


@pytest.fixture
def store() -> DatabaseStorage:
    return DatabaseStorage(chunk_size=1024)


def test_a_saved_file_reads_back_with_its_size_and_sha256(store):
    name = store.save("requests/1/abc", ContentFile(CONTENT))

    stored = StoredFile.objects.get(name=name)
    assert name == "requests/1/abc"
    assert stored.size == len(CONTENT) == store.size(name)
    assert stored.sha256 == hashlib.sha256(CONTENT).hexdigest()
    assert StoredFileChunk.objects.filter(file=stored).count() == 11
    with store.open(name) as file:
        assert file.read() == CONTENT


def test_a_read_holds_one_chunk_and_asks_the_database_once_per_chunk(store):
    name = store.save("requests/1/abc", ContentFile(CONTENT))
    file = store.open(name)
    reader = file.file
    pieces = []

    with CaptureQueriesContext(connection) as queries:
        while piece := file.read(100):
            pieces.append(piece)
            assert len(reader._chunk) <= 1024

    assert b"".join(pieces) == CONTENT
    assert len(queries) == 11


def test_a_read_can_seek_and_knows_its_length(store):
    name = store.save("a", ContentFile(CONTENT))
    file = store.open(name)

    file.seek(2000)
    assert file.read(10) == CONTENT[2000:2010]
    assert file.seek(0, os.SEEK_END) == len(CONTENT)
    assert file.size == len(CONTENT)


def test_an_empty_file_is_stored_and_read(store):
    name = store.save("empty", ContentFile(b""))

    assert store.size(name) == 0
    assert store.open(name).read() == b""


def test_a_file_saved_in_a_transaction_that_rolls_back_is_gone_with_it(store):
    with pytest.raises(RuntimeError), transaction.atomic():
        store.save("requests/1/lost", ContentFile(CONTENT))
        raise RuntimeError

    assert not store.exists("requests/1/lost")
    assert not StoredFileChunk.objects.exists()


def test_a_name_already_taken_gets_another_one(store):
    first = store.save("requests/1/abc", ContentFile(b"one"))
    second = store.save("requests/1/abc", ContentFile(b"two"))

    assert first != second
    assert store.open(first).read() == b"one"
    assert store.open(second).read() == b"two"


def test_a_missing_file_cannot_be_opened(store):
    with pytest.raises(FileNotFoundError):
        store.open("requests/1/none")
    with pytest.raises(FileNotFoundError):
        store.size("requests/1/none")


def test_a_deleted_file_takes_its_chunks_with_it(store):
    name = store.save("a", ContentFile(CONTENT))

    store.delete(name)

    assert not store.exists(name)
    assert not StoredFileChunk.objects.exists()


def test_listing_a_folder_gives_its_folders_and_files(store):
    for name in ("requests/1/a", "requests/1/b", "requests/2/c", "documents/3/d"):
        store.save(name, ContentFile(b"x"))

    assert store.listdir("requests") == (["1", "2"], [])
    assert store.listdir("requests/1") == ([], ["a", "b"])
    assert store.listdir("") == (["documents", "requests"], [])


def test_a_stored_file_has_no_url(store):
    with pytest.raises(NotImplementedError):
        PrivateStorage().url("a")


def test_a_download_streams_the_database_file_with_its_length(store):
    name = store.save("a", ContentFile(CONTENT))

    response = file_download(store.open(name), filename="x.pdf", content_type="application/pdf")

    assert response.streaming
    assert response["Content-Length"] == str(len(CONTENT))
    assert b"".join(response.streaming_content) == CONTENT


def test_the_private_storage_follows_the_setting(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    private = PrivateStorage()

    settings.PRIVATE_STORAGE = "filesystem"
    on_disk = private.save("requests/1/f", ContentFile(b"disk"))
    settings.PRIVATE_STORAGE = "database"
    in_database = private.save("requests/1/d", ContentFile(b"base"))

    assert (tmp_path / "requests" / "1" / "f").read_bytes() == b"disk"
    assert not (tmp_path / "requests" / "1" / "d").exists()
    assert StoredFile.objects.filter(name=in_database).exists()
    assert not StoredFile.objects.filter(name=on_disk).exists()
    assert private.open(in_database).read() == b"base"


def test_the_folder_store_saves_reads_and_deletes(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    settings.PRIVATE_STORAGE = "filesystem"
    private = PrivateStorage()

    name = private.save("requests/1/f", ContentFile(CONTENT))

    assert private.exists(name)
    assert private.size(name) == len(CONTENT)
    assert private.listdir("requests/1") == ([], ["f"])
    with private.open(name) as file:
        assert file.read() == CONTENT
    private.delete(name)
    assert not private.exists(name)


def test_an_unknown_store_is_refused(settings):
    settings.PRIVATE_STORAGE = "s3"

    with pytest.raises(Exception, match="PRIVATE_STORAGE"):
        private_backend()


def test_the_test_suite_keeps_private_files_in_the_database():
    assert isinstance(private_backend(), DatabaseStorage)
