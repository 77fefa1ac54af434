"""What every CSV the portal hands out shares: cells a spreadsheet will not run as formulas, a
BOM for Excel, and a download that streams its rows rather than building the file in memory."""

import csv
from collections.abc import Iterable, Iterator, Sequence

from django.http.response import HttpResponseBase

from core.downloads import streaming_download

# a spreadsheet runs a cell that starts with one of these as a formula
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Excel reads a UTF-8 file as UTF-8 only when it starts with this
BOM = "\ufeff"


def text_cell(text: str) -> str:
    """Free text (a label, a name) as a cell: a leading quote keeps a formula from running."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file that hands back what is written: csv.writer then formats one line at a time."""

    def write(self, line: str) -> str:
        return line


def csv_lines(rows: Iterable[Sequence[object]], *, delimiter: str = ";") -> Iterator[str]:
    """Each row as a CSV line ending in CRLF, formatted only when it is asked for."""
    writer = csv.writer(_Echo(), delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        yield writer.writerow(row)


def csv_chunks(
    rows: Iterable[Sequence[object]], *, chunk_bytes: int = 32 * 1024
) -> Iterator[bytes]:
    """The file as UTF-8 bytes with the BOM, in chunks of about `chunk_bytes`: memory holds one
    chunk, however many rows there are."""
    chunk = [BOM.encode()]
    size = len(chunk[0])
    for line in csv_lines(rows):
        encoded = line.encode()
        chunk.append(encoded)
        size += len(encoded)
        if size >= chunk_bytes:
            yield b"".join(chunk)
            chunk, size = [], 0
    if chunk:
        yield b"".join(chunk)


def csv_download(rows: Iterable[Sequence[object]], *, filename: str) -> HttpResponseBase:
    """A CSV for a French spreadsheet (`;`, UTF-8 with a BOM), streamed as `rows` come."""
    return streaming_download(
        csv_chunks(rows), filename=filename, content_type="text/csv; charset=utf-8"
    )
