from collections.abc import Sequence
from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from companies.models import Company, Contract, ContractKind, ContractStatus
from documents.amortisation import Instalment
from documents.money import amount_formatter, grouped_amount
from documents.rows import choice_labels, id_url

register = template.Library()


@register.filter
def rate(value: Decimal) -> str:
    """3.450 → "3,45", 3.125 → "3,125": at least two decimals, no trailing zeros beyond."""
    exponent = Decimal(value).normalize().as_tuple().exponent
    decimals = max(2, -exponent) if isinstance(exponent, int) else 2
    return number_format(value, decimal_pos=decimals)


@register.filter
def euros(value: Decimal) -> str:
    """1214.9 → "1 214,90 €" in French: grouped thousands, two decimals."""
    return grouped_amount(value) + "\u00a0€"


@register.filter
def amount(value: Decimal) -> str:
    """What `floatformat:"2g"` writes (1214.9 → "1 214,90"), made without its per-call lookups."""
    return grouped_amount(value)


@register.simple_tag
def schedule_rows(instalments: Sequence[Instalment], *labels: str) -> SafeString:
    """The `<tr>` of each instalment (120 of them on a ten-year loan), each formatted in one step
    rather than through a dozen template nodes; `labels`: the six columns' names, for the
    phone's stacked cards."""
    number, due, payment, interest, principal, remaining = (escape(text) for text in labels)
    money = amount_formatter()
    return mark_safe(  # noqa: S308 (labels are escaped; the rest are numbers and dates)
        "\n".join(
            f'<tr><th scope="row" data-label="{number}" class="num">{row.number}</th>'
            f'<td data-label="{due}">{row.due_date:%d/%m/%Y}</td>'
            f'<td data-label="{payment}" class="num">{money(row.payment)}\u00a0€</td>'
            f'<td data-label="{interest}" class="num">{money(row.interest)}\u00a0€</td>'
            f'<td data-label="{principal}" class="num">{money(row.principal)}\u00a0€</td>'
            f'<td data-label="{remaining}" class="num">{money(row.remaining)}\u00a0€</td></tr>'
            for row in instalments
        )
    )


@register.simple_tag
def contract_rows(contracts: Sequence[Contract], company: Company, *labels: str) -> SafeString:
    """The `<tr>` of each of the company's contracts, each in one step; `labels`: the six
    columns' names, for the phone's stacked cards."""
    reference, kind, amount, start, end, status = (escape(text) for text in labels)
    url = id_url("documents:contract", company.pk)
    money = amount_formatter()
    kinds, statuses = choice_labels(ContractKind), choice_labels(ContractStatus)
    return mark_safe(  # noqa: S308 (every text and label is escaped)
        "\n".join(
            f'<tr><th scope="row" data-label="{reference}" class="nowrap">'
            f'<a href="{url(contract.pk)}">{escape(contract.reference)}</a></th>'
            f'<td data-label="{kind}">{escape(kinds.get(contract.kind, contract.kind))}</td>'
            f'<td data-label="{amount}" class="num">{money(contract.amount)}\u00a0€</td>'
            f'<td data-label="{start}">{contract.start_date:%d/%m/%Y}</td>'
            f'<td data-label="{end}">{contract.end_date:%d/%m/%Y}</td>'
            f'<td data-label="{status}"><span class="badge '
            f'{"badge-success" if contract.status == ContractStatus.ACTIVE else "badge-muted"}">'
            f"{escape(statuses.get(contract.status, contract.status))}</span></td></tr>"
            for contract in contracts
        )
    )
