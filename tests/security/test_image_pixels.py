"""An image attachment is capped in pixels (a decompression bomb fits in a few kilobytes)."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from client_requests.uploads import check_upload


def png(width: int, height: int) -> bytes:
    """A small PNG whose header claims width × height (the header is all that is read first)."""
    buffer = io.BytesIO()
    Image.new("1", (8, 8)).save(buffer, format="PNG")
    data = bytearray(buffer.getvalue())
    ihdr = bytes(data[12:16]) + struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(ihdr))
    return bytes(data)


def upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("scan.png", content, content_type="image/png")


@pytest.mark.parametrize(("width", "height"), [(12_000, 12_000), (20_000, 20_000)])
def test_an_image_over_fifty_megapixels_is_refused_with_a_clear_message(width, height):
    with pytest.raises(ValidationError) as refusal:
        check_upload(upload(png(width, height)))

    assert refusal.value.code == "too_many_pixels"
    assert "trop grande" in refusal.value.message
    assert "50 mégapixels au plus" in refusal.value.message


def test_a_real_image_under_the_cap_is_accepted():
    buffer = io.BytesIO()
    Image.new("RGB", (2_000, 1_500), "white").save(buffer, format="PNG")

    assert check_upload(upload(buffer.getvalue())).content_type == "image/png"
