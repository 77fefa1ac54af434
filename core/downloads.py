"""Every file the portal hands out: always saved, never shown inline, never cached, typed by what
the upload check found and named with the matching extension (a PDF named "x.html" saves as
"x.pdf"), the name passed through Content-Disposition's own encoding.

A stored file is streamed from the storage's file object (a folder's file, or the database's chunks),
never read whole; one missing from the store answers a page that says so, with status 404.
"""

import functools
import logging
from collections.abc import Callable, Iterable
from typing import Any, ParamSpec

from django.core.files import File
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.http import content_disposition_header

logger = logging.getLogger(__name__)

P = ParamSpec("P")

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


def file_missing(request: HttpRequest) -> HttpResponse:
    return render(request, "core/file_missing.html", status=404)


def missing_file_is_404(
    view: Callable[P, HttpResponseBase],
) -> Callable[P, HttpResponseBase]:
    """A download view whose file is not in the store answers the "file missing" page (404)."""

    @functools.wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        try:
            return view(*args, **kwargs)
        except FileNotFoundError:
            request = _request_in(args)
            logger.warning("A private file is missing from the store (%s).", request.path)
            return file_missing(request)

    return wrapped


def _request_in(args: tuple[Any, ...]) -> HttpRequest:
    # a function view's first argument, or a method's (an admin view) second
    return next(arg for arg in args if isinstance(arg, HttpRequest))


def streaming_download(
    chunks: Iterable[bytes], *, filename: str, content_type: str
) -> HttpResponseBase:
    """A file made while it is sent (an export of every row): nothing waits in memory."""
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        True, download_name(filename, content_type)
    )
    return _private(response)
