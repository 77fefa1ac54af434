"""Rights in templates: ``{% load rights %}``, answered by permissions.checks like the views.

``{% if membership|holds:"documents" %}`` and ``{% for spec in invitation.rights|catalogue_specs %}``.
"""

from collections.abc import Iterable, Mapping

from django import template

from companies.models import Membership
from permissions.catalogue import Right, RightSpec, specs_for
from permissions.checks import has_right
from permissions.end_dates import DatedSpec, dated_specs
from permissions.forms import EndDatesFormMixin, end_date_field_name
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


@register.filter
def end_date_field(form: object, right: str) -> object:
    """The form's end date input for a right (`permissions.forms.EndDatesFormMixin`), or ""."""
    if not isinstance(form, EndDatesFormMixin):
        return ""
    return form[end_date_field_name(right)]


@register.filter
def dated_rights(rights: Iterable[str], ends_on: Mapping[str, str] | None) -> list[DatedSpec]:
    """``{% for spec in invitation.rights|dated_rights:invitation.ends_on %}``: each right with
    its end date (``spec.until``: "jusqu’au 31/03/2027", or "")."""
    return dated_specs(rights, ends_on)
