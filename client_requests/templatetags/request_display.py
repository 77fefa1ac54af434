from collections.abc import Sequence
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from client_requests import display
from client_requests.kinds import RequestKind, RequestStatus
from client_requests.models import ClientRequest
from documents.rows import choice_labels, id_url
from documents.templatetags.documents_format import euros

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


@register.simple_tag
def request_rows(requests: Sequence[ClientRequest], show_fee: bool, *labels: str) -> SafeString:
    """The `<tr>` of each request of a page, each in one step; `labels`: the seven columns'
    names, for the phone's stacked cards."""
    number, kind, subject, author, created, fee, status = (escape(text) for text in labels)
    kinds, statuses = choice_labels(RequestKind), choice_labels(RequestStatus)
    free, none = escape(_("Gratuit")), escape(_("Aucun"))
    urls: dict[int, Any] = {}
    rows = []
    for item in requests:
        url = urls.get(item.company_id) or urls.setdefault(
            item.company_id, id_url("client_requests:detail", item.company_id)
        )
        title = escape(_("Demande n° %(number)s") % {"number": item.pk})
        details = item.details if isinstance(item.details, dict) else {}
        about: str = escape(details.get("subject") or "")
        if about and item.contract:
            about += "<br>"
        if item.contract:
            about += f'<span class="muted nowrap">{escape(item.contract.reference)}</span>'
        if not about:
            about = f'<span aria-hidden="true">—</span><span class="visually-hidden">{none}</span>'
        fee_cell = (
            f'<td data-label="{fee}" class="num">{euros(item.fee) if item.fee else free}</td>'
            if show_fee
            else ""
        )
        rows.append(
            f'<tr><th scope="row" data-label="{number}" class="nowrap">'
            f'<a href="{url(item.pk)}">{title}</a></th>'
            f'<td data-label="{kind}">{escape(kinds.get(item.kind, item.kind))}</td>'
            f'<td data-label="{subject}">{about}</td>'
            f'<td data-label="{author}">'
            f"{escape(item.author.get_full_name() or item.author.email)}</td>"
            f'<td data-label="{created}">{localtime(item.created_at):%d/%m/%Y}</td>'
            f"{fee_cell}"
            f'<td data-label="{status}"><span class="badge {display.status_badge(item.status)}">'
            f"{escape(statuses.get(item.status, item.status))}</span></td></tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 (every text and label is escaped)
