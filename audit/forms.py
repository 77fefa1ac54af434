from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from audit.sentences import Kind
from companies.models import Membership


class JournalFilterForm(forms.Form):
    """The journal's filters (GET): validation only; a bad value is said, the rest still applies."""

    person = forms.TypedChoiceField(
        label=_("Personne"), required=False, coerce=int, empty_value=None
    )
    kind = forms.ChoiceField(
        label=_("Type d’événement"),
        required=False,
        choices=[("", _("Tous les types")), *Kind.choices],
    )
    since = forms.DateField(
        label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, members: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [  # type: ignore[attr-defined]
            ("", _("Toutes les personnes")),
            *((m.pk, m.user.get_full_name() or m.user.email) for m in members),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("La date de fin précède la date de début."))
        return cleaned
