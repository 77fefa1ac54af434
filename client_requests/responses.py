from django.core.files import File
from django.http import FileResponse

from client_requests.models import Attachment


def attachment_response(attachment: Attachment, file: File) -> FileResponse:
    """A request's file, always downloaded (never shown inline) as the type checked on upload."""
    response = FileResponse(
        file,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
