"""Template helpers shared by every page: ``{% load portal_tags %}``."""

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag(takes_context=True)
def aria_current(context: dict[str, Any], url: str) -> SafeString | str:
    """` aria-current="page"` on the link to the page being shown."""
    request = context.get("request")
    if request is not None and request.path == url:
        return format_html(' aria-current="{}"', "page")
    return ""
