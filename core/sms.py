"""One interface to send an SMS, with a backend per environment (settings.SMS_BACKEND)."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.utils.module_loading import import_string

from core.dev_outbox import write_sms

logger = logging.getLogger(__name__)


class SmsNotSent(Exception):
    """The provider did not take the message: nothing was sent."""


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str) -> None: ...


@dataclass(frozen=True)
class Sms:
    to: str
    body: str


class LocmemBackend:
    """Keeps messages in memory, for tests (`core.sms.outbox`)."""

    def send(self, *, to: str, body: str) -> None:
        outbox.append(Sms(to=to, body=body))


outbox: list[Sms] = []


class ConsoleBackend:
    """Development: the message is kept in the outbox shown at /dev/outbox, never in the logs."""

    def send(self, *, to: str, body: str) -> None:
        write_sms(to=to, body=body)
        logger.info("SMS kept in the development outbox (/dev/outbox/).")


class TwilioBackend:
    """Sends through Twilio's Messages API with the official SDK."""

    def __init__(self) -> None:
        from twilio.rest import Client

        self.client = Client(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            http_client=_http_client(settings.TWILIO_API_BASE_URL),
        )

    def send(self, *, to: str, body: str) -> None:
        from twilio.base.exceptions import TwilioException

        try:
            self.client.messages.create(to=to, from_=settings.TWILIO_FROM_NUMBER, body=body)
        except TwilioException as exc:
            logger.warning("Twilio refused an SMS: %s", type(exc).__name__)
            raise SmsNotSent from exc
        except OSError as exc:
            logger.warning("Twilio could not be reached: %s", type(exc).__name__)
            raise SmsNotSent from exc


def _http_client(base_url: str) -> Any:
    from twilio.http.http_client import TwilioHttpClient

    if not base_url:
        return TwilioHttpClient(timeout=settings.TWILIO_TIMEOUT_SECONDS)
    target = urlsplit(base_url)

    class RedirectedHttpClient(TwilioHttpClient):
        """Points the SDK at another host (a local fake server), keeping paths and auth."""

        def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            parts = urlsplit(url)
            url = urlunsplit((target.scheme, target.netloc, parts.path, parts.query, ""))
            return super().request(method, url, *args, **kwargs)

    return RedirectedHttpClient(timeout=settings.TWILIO_TIMEOUT_SECONDS)


BACKENDS: dict[str, Callable[[], SmsBackend]] = {
    "console": ConsoleBackend,
    "locmem": LocmemBackend,
    "twilio": TwilioBackend,
}


def get_backend() -> SmsBackend:
    name = settings.SMS_BACKEND
    backend_class: Callable[[], SmsBackend] = BACKENDS.get(name) or import_string(name)
    return backend_class()


def send_sms(*, to: str, body: str) -> None:
    get_backend().send(to=to, body=body)
