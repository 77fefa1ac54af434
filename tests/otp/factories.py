"""Helpers for the signature tests: a fixed clock, the last SMS code, a failing SMS backend."""

import datetime
import re
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models.functions import Cast

from core import sms
from core.sms import SmsNotSent

NOW = datetime.datetime(2025, 3, 3, 10, 0, tzinfo=datetime.UTC)

CODE = re.compile(r"\b(\d{6})\b")


def last_code() -> str:
    """The 6-digit code of the last SMS in the in-memory outbox."""
    match = CODE.search(sms.outbox[-1].body)
    assert match is not None, sms.outbox[-1].body
    return match.group(1)


def wrong_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


class FailingSmsBackend:
    """A provider that refuses every message (settings.SMS_BACKEND dotted path)."""

    def send(self, *, to: str, body: str) -> None:
        raise SmsNotSent("provider down")


def rows_containing(text: str) -> list[tuple[str, str, Any]]:
    """(model, field, pk) of every text or JSON column, in every table, that contains `text`."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                lookup = model._default_manager.filter(**{f"{field.attname}__contains": text})
            elif isinstance(field, models.JSONField):
                lookup = model._default_manager.annotate(
                    _as_text=Cast(field.attname, models.TextField())
                ).filter(_as_text__contains=text)
            else:
                continue
            found += [
                (model.__name__, field.name, pk) for pk in lookup.values_list("pk", flat=True)
            ]
    return found
