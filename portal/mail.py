"""Every email of the portal: a subject, a text part and an HTML part rendered from two templates."""

from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def send_templated_email(*, to: str, subject: str, template: str, context: dict[str, Any]) -> None:
    """Render `<template>.txt` and `<template>.html` and send; a mail failure is raised."""
    message = EmailMultiAlternatives(
        # a header holds one line: a template's newline must not end it
        subject="".join(str(subject).splitlines()),
        body=render_to_string(f"{template}.txt", context),
        to=[to],
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()
