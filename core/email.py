"""One email as the bank sends it: who writes, where replies go, a Message-ID of the portal's
domain and a one-line subject that decodes exactly as written.

Why the subject needs care (Django 5.2): `forbid_multi_line_headers` encodes a non-ASCII subject
with `Header(value).encode()`, which folds it into RFC 2047 words without knowing the header's
name; the compat32 generator then folds that string again behind "Subject: ". The first encoded
word (about 75 characters) no longer fits on the first line, so the header starts with an empty
line and every reader decodes the subject with a leading space. A `Header` given the header's name
is folded once, by the generator, with the name counted.
"""

from email.header import Header
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives


class BankEmail(EmailMultiAlternatives):
    """An email whose Subject is folded once, with its name counted (see above), and whose
    Message-ID stays on its header's line."""

    # the stubs describe Django 6's message(*, policy); Django 5.2's takes no argument
    def message(self, **kwargs: Any) -> Any:
        # super() still refuses a subject with a line break (header injection)
        message = super().message(**kwargs)
        message.replace_header("Subject", Header(str(self.subject), header_name="Subject"))
        # A msg-id cannot be split: with its name counted it no longer fits 78 columns and the
        # generator would put it alone on a continuation line (read back with a leading space).
        # Without the name it stays on the header's line, far below the 998 limit.
        message.replace_header("Message-ID", Header(str(message["Message-ID"])))
        return message


def one_line(text: str) -> str:
    """A header holds one line: a template's newlines (and the spaces around them) go."""
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip())


def build_email(*, to: str, subject: str, text: str, html: str) -> EmailMultiAlternatives:
    """The email to `to`, from the bank (settings.DEFAULT_FROM_EMAIL), replies to its support."""
    reply_to = [settings.EMAIL_REPLY_TO] if settings.EMAIL_REPLY_TO else []
    message = BankEmail(
        subject=one_line(subject),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        reply_to=reply_to,
        headers={"Message-ID": make_msgid(domain=settings.EMAIL_MESSAGE_ID_DOMAIN)},
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message


def email_context(context: dict[str, Any]) -> dict[str, Any]:
    """What every email's layout shows (templates/email/base.*), passed explicitly: an email is
    rendered without a request, often in a worker, so no context processor runs."""
    return {"bank_name": settings.BANK_NAME, **context}
