"""Mail servers that fail in the ways a real one does, for the email tasks' retries."""

import smtplib

from django.core import mail

SECOND_MESSAGE_FAILS_ONCE = "tests.mail_backends.SecondMessageFailsOnce"


class SecondMessageFailsOnce:
    """Delivers to the locmem outbox, but drops the connection on the second message it is given:
    a notification to several people fails after the first one was emailed."""

    attempts = 0

    def __init__(self, **kwargs: object) -> None:
        pass

    def send_messages(self, messages: list[mail.EmailMessage]) -> int:
        type(self).attempts += 1
        if type(self).attempts == 2:
            raise smtplib.SMTPServerDisconnected("connection lost")
        mail.outbox.extend(messages)
        return len(messages)


class Refusing:
    """A mail server that drops the connection on every message."""

    def __init__(self, **kwargs: object) -> None:
        pass

    def send_messages(self, messages: list[mail.EmailMessage]) -> int:
        raise smtplib.SMTPServerDisconnected("connection lost")
