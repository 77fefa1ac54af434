from django.core.files import File
from django.http.response import HttpResponseBase

from client_requests.models import Attachment
from core.downloads import file_download


def attachment_response(attachment: Attachment, file: File) -> HttpResponseBase:
    """A request's file, always downloaded (never shown inline) as the type checked on upload."""
    return file_download(
        file, filename=attachment.original_name, content_type=attachment.content_type
    )
