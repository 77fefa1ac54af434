from decimal import Decimal

from django import template
from django.utils.formats import number_format

from documents.money import grouped_amount

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
