"""Where private files live: a folder of this machine, or the database every node shares.

`settings.PRIVATE_STORAGE` chooses: "filesystem" keeps them under `settings.PRIVATE_MEDIA_ROOT`
(`make run`, one machine), "database" keeps them in PostgreSQL (`StoredFile` and its chunks), so
that a file received by one web node is served by any other, and a file and the row that names it
commit together (a save runs inside the caller's transaction). A database file is written and read
one chunk at a time: neither an upload nor a download ever holds a whole file in memory.
"""

import datetime
import hashlib
import io
import posixpath
from collections.abc import Iterator
from typing import IO, Any, cast

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage
from django.db import transaction
from django.utils import timezone
from django.utils.deconstruct import deconstructible

from core.models import StoredFile, StoredFileChunk

CHUNK_SIZE = 1024 * 1024
KINDS = ("filesystem", "database")


class ChunkedReader(io.RawIOBase):
    """A stored file read chunk by chunk from the database; seekable, so a response knows its
    length without reading it. Only the chunk being read is in memory."""

    mode = "rb"

    def __init__(self, *, file_id: int, size: int, chunk_size: int, name: str) -> None:
        super().__init__()
        self.file_id = file_id
        self.size = size
        self.chunk_size = chunk_size
        self.name = name
        self._position = 0
        self._index: int | None = None
        self._chunk = b""

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self.size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._position = base + offset
        return self._position

    def _load(self, index: int) -> bytes:
        if self._index != index:
            data = (
                StoredFileChunk.objects.filter(file_id=self.file_id, index=index)
                .values_list("data", flat=True)
                .first()
            )
            if data is None:
                raise OSError(f"chunk {index} of {self.name!r} is missing")
            self._index, self._chunk = index, bytes(data)
        return self._chunk

    def readinto(self, buffer: Any) -> int:
        if self._position >= self.size:
            return 0
        index, offset = divmod(self._position, self.chunk_size)
        chunk = self._load(index)
        view = memoryview(buffer).cast("B")
        count = min(len(view), len(chunk) - offset)
        view[:count] = chunk[offset : offset + count]
        self._position += count
        return count


def _chunks_of(content: File, size: int) -> Iterator[bytes]:
    """The content in pieces of exactly `size` bytes (the last one shorter), whatever the source
    hands out at each read."""
    pending = bytearray()
    for piece in content.chunks(size):
        pending += piece
        while len(pending) >= size:
            yield bytes(pending[:size])
            del pending[:size]
    if pending:
        yield bytes(pending)


@deconstructible(path="core.storage.DatabaseStorage")
class DatabaseStorage(Storage):
    """Private files in the database: no URL, no path on any machine."""

    def __init__(self, chunk_size: int = CHUNK_SIZE) -> None:
        self.chunk_size = chunk_size

    def _open(self, name: str, mode: str = "rb") -> File:
        if mode not in ("r", "rb"):
            raise ValueError("a stored file is read-only once saved")
        stored = StoredFile.objects.filter(name=name).values("pk", "size", "chunk_size").first()
        if stored is None:
            raise FileNotFoundError(f"no stored file named {name!r}")
        reader = ChunkedReader(
            file_id=stored["pk"], size=stored["size"], chunk_size=stored["chunk_size"], name=name
        )
        return File(cast(IO[bytes], reader), name=name)

    def _save(self, name: str, content: File) -> str:
        digest = hashlib.sha256()
        size = 0
        # a savepoint inside the caller's transaction: the file commits (or not) with its row
        with transaction.atomic():
            stored = StoredFile.objects.create(
                name=name, size=0, sha256="", chunk_size=self.chunk_size, created_at=timezone.now()
            )
            for index, piece in enumerate(_chunks_of(content, self.chunk_size)):
                digest.update(piece)
                size += len(piece)
                StoredFileChunk.objects.create(file=stored, index=index, data=piece)
            StoredFile.objects.filter(pk=stored.pk).update(size=size, sha256=digest.hexdigest())
        return name

    def delete(self, name: str) -> None:
        StoredFile.objects.filter(name=name).delete()

    def exists(self, name: str) -> bool:
        return StoredFile.objects.filter(name=name).exists()

    def size(self, name: str) -> int:
        size = StoredFile.objects.filter(name=name).values_list("size", flat=True).first()
        if size is None:
            raise FileNotFoundError(f"no stored file named {name!r}")
        return size

    def sha256(self, name: str) -> str:
        digest = StoredFile.objects.filter(name=name).values_list("sha256", flat=True).first()
        if digest is None:
            raise FileNotFoundError(f"no stored file named {name!r}")
        return digest

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        prefix = posixpath.join(path.strip("/"), "") if path.strip("/") else ""
        directories: set[str] = set()
        files: list[str] = []
        names = StoredFile.objects.filter(name__startswith=prefix).values_list("name", flat=True)
        for name in names.iterator():
            head, slash, _rest = name[len(prefix) :].partition("/")
            (directories.add(head) if slash else files.append(head))
        return sorted(directories), sorted(files)

    def _created_at(self, name: str) -> datetime.datetime:
        created = StoredFile.objects.filter(name=name).values_list("created_at", flat=True).first()
        if created is None:
            raise FileNotFoundError(f"no stored file named {name!r}")
        return created

    def get_created_time(self, name: str) -> datetime.datetime:
        return self._created_at(name)

    def get_modified_time(self, name: str) -> datetime.datetime:
        return self._created_at(name)

    def get_accessed_time(self, name: str) -> datetime.datetime:
        return self._created_at(name)


_backends: dict[tuple[str, str], Storage] = {}


def private_backend() -> Storage:
    """The store `settings.PRIVATE_STORAGE` names, made once per kind and folder."""
    kind = settings.PRIVATE_STORAGE
    if kind not in KINDS:
        raise ImproperlyConfigured(f"PRIVATE_STORAGE must be one of {', '.join(KINDS)}: {kind!r}")
    key = (kind, str(settings.PRIVATE_MEDIA_ROOT))
    if key not in _backends:
        _backends[key] = (
            DatabaseStorage()
            if kind == "database"
            else FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT)
        )
    return _backends[key]


@deconstructible(path="core.storage.PrivateStorage")
class PrivateStorage(Storage):
    """The storage of every private file field: each call goes to the store the settings name now
    (a file field keeps the storage it was given at import; this one follows the setting)."""

    def _open(self, name: str, mode: str = "rb") -> File:
        return private_backend().open(name, mode)

    def _save(self, name: str, content: File) -> str:
        backend: Any = private_backend()
        return str(backend._save(name, content))

    def delete(self, name: str) -> None:
        private_backend().delete(name)

    def exists(self, name: str) -> bool:
        return private_backend().exists(name)

    def size(self, name: str) -> int:
        return private_backend().size(name)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        return private_backend().listdir(path)

    def path(self, name: str) -> str:
        return private_backend().path(name)

    def url(self, name: str | None) -> str:
        raise NotImplementedError("private files have no URL: a view checks who reads them")

    def get_created_time(self, name: str) -> datetime.datetime:
        return private_backend().get_created_time(name)

    def get_modified_time(self, name: str) -> datetime.datetime:
        return private_backend().get_modified_time(name)

    def get_accessed_time(self, name: str) -> datetime.datetime:
        return private_backend().get_accessed_time(name)


def file_sha256(file: IO[bytes] | File) -> str:
    """SHA-256 of an open file, read in chunks."""
    digest = hashlib.sha256()
    while piece := file.read(CHUNK_SIZE):
        digest.update(piece)
    return digest.hexdigest()
