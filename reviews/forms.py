from django import forms
from django.utils.translation import gettext_lazy as _

from permissions.catalogue import Right
from reviews.models import Decision


class DecisionForm(forms.Form):
    """What the administrator chose for one member; the page and search to return to."""

    decision = forms.ChoiceField(label=_("Décision"), choices=Decision.choices)
    rights = forms.MultipleChoiceField(
        label=_("Droits à retirer"), choices=Right.choices, required=False
    )
    back = forms.CharField(required=False, max_length=500)

    def back_query(self) -> str:
        """The page's query string as it was (`?page=2&q=…`), or ""."""
        back = str(self.cleaned_data.get("back") or "") if self.is_valid() else ""
        return back if back.startswith("?") else ""
