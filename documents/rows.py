"""What long tables need to write their rows in one step: a row's link without a reverse() per
row, a choice's label translated once per table."""

from collections.abc import Callable

from django.db.models import Choices
from django.urls import reverse

# an id no row has: where it lands in the reversed URL, each row's own id goes
_MARKER = 987654321987654


def id_url(viewname: str, *args: object) -> Callable[[int], str]:
    """The URL of `viewname` for `args` and one last id, reversed once for every row."""
    prefix, _marker, suffix = reverse(viewname, args=[*args, _MARKER]).rpartition(str(_MARKER))
    return lambda pk: f"{prefix}{pk}{suffix}"


def choice_labels(choices: type[Choices]) -> dict[object, str]:
    """Each value's label in the active language."""
    return {value: str(label) for value, label in choices.choices}
