"""Log filters: an invitation link's token is a password and never reaches a log line."""

import logging
import re

_TOKEN_IN_PATH = re.compile(r"(/invitation/)[^/\s\"'?]+")


class RedactInvitationTokens(logging.Filter):
    """Django logs the path of every 4xx/5xx response ("Forbidden: /invitation/<token>/")."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _TOKEN_IN_PATH.sub(r"\1…", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
