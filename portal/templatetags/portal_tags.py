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
def nav_links(context: Any) -> SafeString:
    """The main navigation's items (portal/_nav_links.html), rendered once a request: the wide
    bar and the narrow screens' menu show the same links."""
    request = context.get("request")
    company = context.get("company")
    key = getattr(company, "pk", None)
    cached: tuple[object, SafeString] | None = getattr(request, "_portal_nav_links", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    links: SafeString = context.template.engine.get_template("portal/_nav_links.html").render(
        context
    )
    if request is not None:
        request._portal_nav_links = (key, links)
    return links
