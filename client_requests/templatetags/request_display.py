from typing import Any

from django import template

from client_requests import display

register = template.Library()


@register.filter
def status_badge(status: str) -> str:
    return display.status_badge(status)


@register.filter
def detail_rows(details: dict[str, Any]) -> list[display.DetailRow]:
    return display.detail_rows(details or {})


@register.filter
def amount(value: Any) -> str:
    return display.format_amount(value)
