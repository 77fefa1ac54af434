"""Rights in templates: ``{% load rights %}``, answered by permissions.checks like the views.

``{% if membership|holds:"documents" %}`` and ``{% for spec in invitation.rights|catalogue_specs %}``.
"""

from collections.abc import Iterable

from django import template

from companies.models import Membership
from permissions.catalogue import Right, RightSpec, specs_for
from permissions.checks import has_right
from permissions.models import Grant

register = template.Library()


@register.filter
def holds(membership: Membership | str, right: str) -> bool:
    """Whether the membership holds the right (a catalogue code); a page without one holds none."""
    if not isinstance(membership, Membership):
        return False
    return has_right(membership, Right(right))


@register.filter
def catalogue_specs(rights: Iterable[str | Grant]) -> list[RightSpec]:
    """Right codes (or Right members, or Grant rows) as catalogue entries, in catalogue order."""
    return specs_for(item.right if isinstance(item, Grant) else item for item in rights)
