"""Development outbox: every email and SMS kept as a file, listed at /dev/outbox (DEBUG only).

Files live under settings.OUTBOX_DIR: ``mail/<timestamp>-<uuid>.eml`` and
``sms/<timestamp>-<uuid>.json``. The timestamp sorts as text, so names order by time.
"""

import datetime
import json
import os
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage as ParsedEmail
from email.parser import BytesParser
from pathlib import Path
from typing import Any, Literal

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

Kind = Literal["mail", "sms"]
KINDS: tuple[Kind, ...] = ("mail", "sms")
_SUFFIX: dict[Kind, str] = {"mail": ".eml", "sms": ".json"}
_TIMESTAMP_FORMAT = "%Y%m%dT%H%M%S%fZ"
# Names come back from a URL: only names this module could have written are ever opened.
_NAME = re.compile(r"^[0-9]{8}T[0-9]{12}Z-[0-9a-f]{32}$")
_CODE = re.compile(r"(?<![0-9])[0-9]{6}(?![0-9])")


@dataclass(frozen=True)
class OutboxMessage:
    kind: Kind
    name: str
    to: str
    subject: str
    sent_at: datetime.datetime
    text: str
    html: str = ""

    @property
    def code(self) -> str:
        """The 6-digit code an SMS carries, shown large on the page."""
        match = _CODE.search(self.text) if self.kind == "sms" else None
        return match.group(0) if match else ""


def _directory(kind: Kind) -> Path:
    return Path(settings.OUTBOX_DIR) / kind


def _new_name(now: datetime.datetime | None = None) -> str:
    now = now or datetime.datetime.now(tz=datetime.UTC)
    return f"{now.astimezone(datetime.UTC):{_TIMESTAMP_FORMAT}}-{uuid.uuid4().hex}"


def _write(kind: Kind, content: bytes) -> Path:
    directory = _directory(kind)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{_new_name()}{_SUFFIX[kind]}"
    # Written aside then renamed: the outbox page never reads a half-written file.
    partial = path.with_suffix(".part")
    partial.write_bytes(content)
    os.replace(partial, path)
    return path


class OutboxEmailBackend(BaseEmailBackend):
    """Keeps each email as an .eml file instead of sending it."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        for message in email_messages:
            try:
                _write("mail", message.message().as_bytes())
            except OSError:
                if not self.fail_silently:
                    raise
            else:
                sent += 1
        return sent


def write_sms(*, to: str, body: str) -> None:
    """Keeps one SMS as a JSON file; the console SMS backend calls this."""
    sent_at = datetime.datetime.now(tz=datetime.UTC).isoformat()
    payload = {"to": to, "body": body, "sent_at": sent_at}
    _write("sms", json.dumps(payload, ensure_ascii=False, indent=2).encode())


def _sent_at(name: str) -> datetime.datetime:
    stamp = name.split("-", 1)[0]
    return datetime.datetime.strptime(stamp, _TIMESTAMP_FORMAT).replace(tzinfo=datetime.UTC)


def _part(parsed: ParsedEmail, subtype: str) -> str:
    body = parsed.get_body(preferencelist=(subtype,))
    if body is None or body.get_content_subtype() != subtype:
        return ""
    content: Any = body.get_content()
    return content if isinstance(content, str) else ""


def _read_mail(path: Path, name: str) -> OutboxMessage:
    parsed: ParsedEmail = BytesParser(policy=policy.default).parsebytes(path.read_bytes())  # type: ignore[assignment]
    return OutboxMessage(
        kind="mail",
        name=name,
        to=str(parsed.get("To", "")),
        subject=str(parsed.get("Subject", "")),
        sent_at=_sent_at(name),
        text=_part(parsed, "plain"),
        html=_part(parsed, "html"),
    )


def _read_sms(path: Path, name: str) -> OutboxMessage:
    payload = json.loads(path.read_text(encoding="utf-8"))
    return OutboxMessage(
        kind="sms",
        name=name,
        to=str(payload.get("to", "")),
        subject="",
        sent_at=_sent_at(name),
        text=str(payload.get("body", "")),
    )


def _read(kind: Kind, path: Path) -> OutboxMessage:
    name = path.name.removesuffix(_SUFFIX[kind])
    return _read_mail(path, name) if kind == "mail" else _read_sms(path, name)


def list_messages(*, kind: Kind | None = None, limit: int = 100) -> list[OutboxMessage]:
    """The newest messages first, emails and SMS together unless one kind is asked for."""
    paths: list[tuple[str, Kind, Path]] = []
    for each in (kind,) if kind else KINDS:
        directory = _directory(each)
        if directory.is_dir():
            paths += [(p.name, each, p) for p in directory.glob(f"*{_SUFFIX[each]}")]
    paths.sort(key=lambda item: item[0], reverse=True)
    return [_read(each, path) for _name, each, path in paths[:limit]]


def get_message(*, kind: str, name: str) -> OutboxMessage | None:
    if kind not in KINDS or not _NAME.match(name):
        return None
    known: Kind = "mail" if kind == "mail" else "sms"
    path = _directory(known) / f"{name}{_SUFFIX[known]}"
    if not path.is_file():
        return None
    return _read(known, path)
