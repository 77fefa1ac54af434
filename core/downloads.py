"""Every file the portal hands out: always saved, never shown inline, never cached, typed by what
the upload check found and named with the matching extension (a PDF named "x.html" saves as
"x.pdf"), the name passed through Content-Disposition's own encoding."""

from collections.abc import Iterable

from django.core.files import File
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

EXTENSIONS: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "text/csv": (".csv",),
}


def download_name(name: str, content_type: str) -> str:
    """The name with an extension that says what the file is."""
    media_type = content_type.split(";", 1)[0].strip()
    allowed = EXTENSIONS.get(media_type)
    name = name or "fichier"
    stem, dot, suffix = name.rpartition(".")
    if allowed is None or (dot and f".{suffix.lower()}" in allowed):
        return name
    return f"{stem if dot and stem else name}{allowed[0]}"


def _private(response: HttpResponseBase) -> HttpResponseBase:
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def file_download(file: File, *, filename: str, content_type: str) -> HttpResponseBase:
    return _private(
        FileResponse(
            file,
            as_attachment=True,
            filename=download_name(filename, content_type),
            content_type=content_type,
        )
    )


def content_download(content: bytes | str, *, filename: str, content_type: str) -> HttpResponseBase:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        True, download_name(filename, content_type)
    )
    return _private(response)


def streaming_download(
    chunks: Iterable[bytes], *, filename: str, content_type: str
) -> HttpResponseBase:
    """A file made while it is sent (an export of every row): nothing waits in memory."""
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        True, download_name(filename, content_type)
    )
    return _private(response)
