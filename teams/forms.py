"""Format checks for the team pages. Business refusals come from teams.services."""

from dataclasses import dataclass
from typing import cast

from django import forms
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from companies.models import MembershipStatus, Role
from permissions.catalogue import CATALOGUE, Right
from permissions.forms import EndDatesFormMixin


class MemberRightsForm(EndDatesFormMixin, forms.Form):
    """The member's new full set of rights, each with its end date if any; none at all is a
    valid choice."""

    rights = forms.MultipleChoiceField(
        label=_("Droits"),
        choices=Right.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


@dataclass(frozen=True)
class SelectOption:
    value: str
    label: str
    selected: bool


SORT_CHOICES = [
    ("", _("Rôle, puis nom")),
    ("name", _("Nom (A → Z)")),
    ("-name", _("Nom (Z → A)")),
    ("-since", _("Membre depuis (plus récent d’abord)")),
    ("since", _("Membre depuis (plus ancien d’abord)")),
    ("-login", _("Dernière connexion (plus récente d’abord)")),
    ("login", _("Dernière connexion (plus ancienne d’abord)")),
]


class MemberFilterForm(forms.Form):
    """Search, filters and sort of the members' tables, carried in the URL. A value the form
    does not offer (a crafted URL) is dropped, the other ones still apply."""

    q = forms.CharField(
        label=_("Rechercher un nom ou une adresse e-mail"), required=False, max_length=100
    )
    role = forms.ChoiceField(
        label=_("Rôle"), required=False, choices=[("", _("Tous les rôles")), *Role.choices]
    )
    status = forms.ChoiceField(
        label=_("Statut"),
        required=False,
        choices=[("", _("Tous les statuts")), *MembershipStatus.choices],
    )
    right = forms.ChoiceField(
        label=_("Droit"),
        required=False,
        choices=[
            ("", _("Tous les droits")),
            *((right.value, spec.short_label) for right, spec in CATALOGUE.items()),
        ],
    )
    money = forms.BooleanField(label=_("Droits qui engagent des fonds"), required=False)
    sort = forms.ChoiceField(label=_("Trier par"), required=False, choices=SORT_CHOICES)

    SELECTS = ("role", "status", "right", "sort")

    @cached_property
    def options(self) -> dict[str, list[SelectOption]]:
        """Each select's options, the one in the URL selected: the page writes them out itself
        rather than through a template per option."""
        options = {}
        for name in self.SELECTS:
            field = self[name]
            current = str(field.value() or "")
            choices = cast(forms.ChoiceField, field.field).choices
            options[name] = [
                SelectOption(value=str(value), label=str(label), selected=str(value) == current)
                for value, label in cast(list[tuple[str, str]], choices)
            ]
        return options

    def valid_data(self) -> dict[str, object]:
        """What was asked and can be used: every field that passed its check."""
        self.is_valid()
        return self.cleaned_data
