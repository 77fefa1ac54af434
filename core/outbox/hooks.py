"""What the outbox tells the apps above it, without knowing them.

An app connects to `message_sent` / `message_failed` (its AppConfig.ready) to move its own state when
its message left or failed for good, and registers a renderer for an email that can only be made at
delivery (a link whose secret must never be stored).
"""

from collections.abc import Callable

from django.dispatch import Signal

from core.mail import RenderedEmail
from core.models import Message

# sender=Message, message=<the row as marked>, now=<the time of the delivery>
message_sent = Signal()
# failed for good: no more attempts; support may resend it from the admin
message_failed = Signal()

# the email as it leaves, or None: nothing to send any more (the message is cancelled)
Renderer = Callable[[Message], RenderedEmail | None]
_renderers: dict[str, Renderer] = {}


def renderer_register(name: str, render: Renderer) -> None:
    """Make the emails queued with `renderer=name` at delivery with `render`."""
    _renderers[name] = render


def renderer_for(name: str) -> Renderer:
    try:
        return _renderers[name]
    except KeyError:
        raise LookupError(f"No outbox renderer registered under {name!r}.") from None
