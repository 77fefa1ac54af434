"""The forecast's movements table, a row per movement (hundreds of them): each row formatted in
one step rather than through a dozen template nodes, with the same markup and escaping."""

from collections.abc import Sequence

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from documents.money import amount_formatter
from treasury.forecast import Line

register = template.Library()


@register.simple_tag
def movement_rows(lines: Sequence[Line], *labels: str) -> SafeString:
    """The `<tr>` of each line; `labels`: the five columns' names, for the phone's stacked cards."""
    date, label, category, amount, balance = (escape(text) for text in labels)
    money = amount_formatter()
    return mark_safe(  # noqa: S308 (every text cell and label is escaped)
        "\n".join(
            f'<tr><td data-label="{date}">{line.movement.movement_date:%d/%m/%Y}</td>'
            f'<td data-label="{label}">{escape(line.movement.label)}</td>'
            f'<td data-label="{category}">{escape(line.movement.category)}</td>'
            f'<td data-label="{amount}" class="num">{money(line.movement.amount)} €</td>'
            f'<td data-label="{balance}" class="num">{money(line.balance)} €</td></tr>'
            for line in lines
        )
    )
