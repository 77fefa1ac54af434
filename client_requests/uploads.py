"""What an uploaded file really is, read from its content: its name and declared type are not trusted."""

import hashlib
import io
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    size: int
    sha256: str
    original_name: str


ACCEPTED_TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
}


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def _opens(content: bytes, content_type: str) -> bool:
    """The file parses as what its first bytes claim: a renamed or truncated file does not."""
    if content_type == "application/pdf":
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError

        try:
            return len(PdfReader(io.BytesIO(content), strict=False).pages) > 0
        except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError):
            return False
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return False
    return True


def _too_many_pixels(content: bytes, content_type: str) -> int:
    """The image's megapixels when above the cap (0 otherwise), read from its header alone."""
    if not content_type.startswith("image/"):
        return 0
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            width, height = image.size
    except Image.DecompressionBombError as bomb:
        # Pillow refuses to open it at all: "Image size (400000000 pixels) exceeds limit..."
        said = re.search(r"\((\d+) pixels\)", str(bomb))
        pixels = int(said.group(1)) if said else settings.UPLOAD_MAX_IMAGE_PIXELS + 1
        return -(-pixels // 1_000_000)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return 0  # _opens says it is unreadable
    pixels = width * height
    return -(-pixels // 1_000_000) if pixels > settings.UPLOAD_MAX_IMAGE_PIXELS else 0


def clean_file_name(name: str) -> str:
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:255] or "fichier"


def size_label(size: int) -> str:
    """A limit as people write it: "5 Mo" rather than "5,0 Mio"."""
    mebibyte = 1024 * 1024
    if size >= mebibyte and size % mebibyte == 0:
        return _("%(count)s Mo") % {"count": size // mebibyte}
    return str(filesizeformat(size))


def check_upload(
    upload: UploadedFile, *, accepted: tuple[str, ...] = tuple(ACCEPTED_TYPES)
) -> CheckedFile:
    """Refuse, in French, a file too large, of another type, or that is not what it claims to be."""
    limit = settings.UPLOAD_MAX_BYTES
    accepted_names = ", ".join(ACCEPTED_TYPES[t] for t in accepted)
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            _("Le fichier dépasse la taille maximale de %(limit)s.") % {"limit": size_label(limit)},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("Le fichier est vide."), code="empty")
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    content_type = _sniff(content[:16])
    if content_type not in accepted:
        raise ValidationError(
            _("Ce type de fichier n’est pas accepté. Formats acceptés : %(types)s.")
            % {"types": accepted_names},
            code="wrong_type",
        )
    if megapixels := _too_many_pixels(content, content_type):
        raise ValidationError(
            _(
                "Cette image est trop grande (%(megapixels)s mégapixels) : %(limit)s mégapixels "
                "au plus. Réduisez-la ou envoyez un PDF."
            )
            % {"megapixels": megapixels, "limit": settings.UPLOAD_MAX_IMAGE_PIXELS // 1_000_000},
            code="too_many_pixels",
        )
    if not _opens(content, content_type):
        raise ValidationError(
            _("Le fichier est illisible ou endommagé : ce n’est pas un %(type)s valide.")
            % {"type": ACCEPTED_TYPES[content_type]},
            code="unreadable",
        )
    return CheckedFile(
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        original_name=clean_file_name(upload.name or ""),
    )
