"""Every email of the portal: a subject, a text part and an HTML part rendered from two templates."""

from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def email_render(*, subject: str, template: str, context: dict[str, Any]) -> RenderedEmail:
    """Render `<template>.txt` and `<template>.html`."""
    return RenderedEmail(
        # a header holds one line: a template's newline must not end it
        subject="".join(str(subject).splitlines()),
        text=render_to_string(f"{template}.txt", context),
        html=render_to_string(f"{template}.html", context),
    )
