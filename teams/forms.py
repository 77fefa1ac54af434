"""Format checks for the team pages. Business refusals come from teams.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from permissions.catalogue import Right


class MemberRightsForm(forms.Form):
    """The member's new full set of rights; none at all is a valid choice."""

    rights = forms.MultipleChoiceField(
        label=_("Droits"),
        choices=Right.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
