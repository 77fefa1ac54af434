"""Template helpers shared by every page: ``{% load portal_tags %}``."""

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from companies.models import Membership
from portal.sections import Section, sections_for

register = template.Library()


@register.simple_tag(takes_context=True)
def aria_current(context: dict[str, Any], url: str) -> SafeString | str:
    """` aria-current="page"` on the link to the page being shown."""
    request = context.get("request")
    if request is not None and request.path == url:
        return format_html(' aria-current="{}"', "page")
    return ""


@register.simple_tag(takes_context=True)
def aria_current_section(context: dict[str, Any], url: str) -> SafeString | str:
    """` aria-current="page"` on the link to the section the page being shown belongs to."""
    request = context.get("request")
    if request is not None and request.path.startswith(url):
        return format_html(' aria-current="{}"', "page")
    return ""


@register.simple_tag(takes_context=True)
def company_sections(context: dict[str, Any]) -> list[Section]:
    """The company-space sections the current member may open (none outside a company page)."""
    membership = getattr(context.get("request"), "membership", None)
    if not isinstance(membership, Membership):
        return []
    return sections_for(membership)


@register.simple_tag(takes_context=True)
def rendered_once(context: Any, template_name: str) -> SafeString:
    """`template_name` rendered once a request and shown again as it was: the navigation's
    items and the account links appear both in the wide bar and in the phone's menu."""
    request = context.get("request")
    key = (template_name, getattr(context.get("company"), "pk", None))
    rendered: dict[tuple[str, object], SafeString] | None = getattr(
        request, "_portal_rendered_once", None
    )
    if rendered is None:
        rendered = {}
        if request is not None:
            request._portal_rendered_once = rendered
    if key not in rendered:
        rendered[key] = context.template.engine.get_template(template_name).render(context)
    return rendered[key]
