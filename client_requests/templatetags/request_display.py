import datetime
from collections.abc import Callable, Sequence
from typing import Any

from django import template
from django.utils.formats import date_format, get_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from client_requests import display
from client_requests.kinds import RequestKind, RequestStatus
from client_requests.models import ClientRequest
from companies.models import Contract, ContractKind
from documents.money import amount_formatter
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
    numbered = _("Demande n° %(number)s")
    urls: dict[int, Any] = {}
    rows = []
    for item in requests:
        url = urls.get(item.company_id) or urls.setdefault(
            item.company_id, id_url("client_requests:detail", item.company_id)
        )
        title = escape(numbered % {"number": item.pk})
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


def _short_date() -> Callable[[datetime.date], str]:
    """What `|date:"SHORT_DATE_FORMAT"` writes, its format looked up once for a table."""
    short = get_format("SHORT_DATE_FORMAT")
    if short == "d/m/Y":
        return lambda day: f"{day:%d/%m/%Y}"
    return lambda day: date_format(day, short)


@register.simple_tag
def club_contract_rows(contracts: Sequence[Contract], *labels: str) -> SafeString:
    """The `<tr>` of each CLUB contract of "Gestion des fonds", each in one step; `labels`: the
    six columns' names, for the phone's stacked cards."""
    reference, granted, drawn, available, start, end = (escape(text) for text in labels)
    money, day = amount_formatter(), _short_date()
    return mark_safe(  # noqa: S308 (every text and label is escaped; the rest are numbers and dates)
        "\n".join(
            f'<tr><th scope="row" data-label="{reference}" class="nowrap">'
            f"{escape(contract.reference)}</th>"
            f'<td data-label="{granted}" class="num">{money(contract.amount)} €</td>'
            f'<td data-label="{drawn}" class="num">{money(contract.drawn_amount)} €</td>'
            f'<td data-label="{available}" class="num">{money(contract.available_amount)} €</td>'
            f'<td data-label="{start}">{day(contract.start_date)}</td>'
            f'<td data-label="{end}">{day(contract.end_date)}</td></tr>'
            for contract in contracts
        )
    )


@register.simple_tag
def buyout_contract_rows(contracts: Sequence[Contract], *labels: str) -> SafeString:
    """The `<tr>` of each CBM or LOCFI contract of "Rachat anticipé", each in one step;
    `labels`: the six columns' names, for the phone's stacked cards."""
    reference, kind, possible, amount_label, residual, end = (escape(text) for text in labels)
    money, day, kinds = amount_formatter(), _short_date(), choice_labels(ContractKind)
    option, termination = (
        escape(_("Levée d’option anticipée")),
        escape(_("Résiliation avec vente du matériel")),
    )
    return mark_safe(  # noqa: S308 (every text and label is escaped; the rest are numbers and dates)
        "\n".join(
            f'<tr><th scope="row" data-label="{reference}" class="nowrap">'
            f"{escape(contract.reference)}</th>"
            f'<td data-label="{kind}">{escape(kinds.get(contract.kind, contract.kind))}</td>'
            f'<td data-label="{possible}">'
            f"{option if contract.kind == ContractKind.CBM else termination}</td>"
            f'<td data-label="{amount_label}" class="num">{money(contract.amount)} €</td>'
            f'<td data-label="{residual}" class="num">'
            f"{f'{money(contract.residual_value)} €' if contract.kind == ContractKind.CBM else '—'}"
            "</td>"
            f'<td data-label="{end}">{day(contract.end_date)}</td></tr>'
            for contract in contracts
        )
    )
