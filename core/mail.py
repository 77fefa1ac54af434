"""Every email of the portal: a subject, a text part and an HTML part rendered from two templates."""

from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string

from core.email import email_context, one_line


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def email_render(*, subject: str, template: str, context: dict[str, Any]) -> RenderedEmail:
    """Render `<template>.txt` and `<template>.html`, with what every email's layout shows."""
    full = email_context(context)
    return RenderedEmail(
        subject=one_line(subject),
        text=render_to_string(f"{template}.txt", full),
        html=render_to_string(f"{template}.html", full),
    )
