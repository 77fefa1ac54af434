"""What a person types on a request: the subject a company request needs, and the length of
every text the bank reads (subject, message, comments). The forms keep the same limits for their
`maxlength`, and call these for their messages."""

from django.utils.translation import gettext_lazy

from client_requests.services.common import RequestRefused

SUBJECT_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 4000

SUBJECT_REQUIRED = gettext_lazy("Donnez un objet à votre demande.")
# named as Django's MaxLengthValidator names them, so a form field shows the very same message
TEXT_TOO_LONG = gettext_lazy(
    "Ce texte tient en %(limit_value)s caractères au plus (il en compte %(show_value)s)."
)


def text_refusal(text: str, *, field: str, limit: int = TEXT_MAX_LENGTH) -> RequestRefused | None:
    """A text longer than the bank's record keeps (counted without the spaces around it)."""
    length = len(text.strip())
    if length > limit:
        return RequestRefused(
            str(TEXT_TOO_LONG) % {"limit_value": limit, "show_value": length},
            field=field,
        )
    return None


def subject_refusal(subject: object) -> RequestRefused | None:
    """A company request says what it is about, in a line."""
    if not isinstance(subject, str) or not subject.strip():
        return RequestRefused(str(SUBJECT_REQUIRED), field="subject")
    return text_refusal(subject, field="subject", limit=SUBJECT_MAX_LENGTH)
