"""The end date a form offers beside each right of the catalogue: one optional date input each."""

import datetime
from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from permissions.catalogue import Right

PREFIX = "ends_on_"


def end_date_field_name(right: str) -> str:
    return f"{PREFIX}{right}"


def _end_date_field() -> forms.DateField:
    return forms.DateField(
        label=_("Jusqu’au (facultatif)"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": _("Saisissez une date, par exemple 31/03/2027.")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class EndDatesFormMixin(forms.Form):
    """Adds `ends_on_<right>` to a rights form; `end_dates()` reads them for the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for right in Right:
            self.fields[end_date_field_name(right.value)] = _end_date_field()

    def end_dates(self) -> dict[str, datetime.date]:
        data = getattr(self, "cleaned_data", {})
        return {
            right.value: day
            for right in Right
            if (day := data.get(end_date_field_name(right.value))) is not None
        }

    @staticmethod
    def end_dates_initial(ends_on: Mapping[str, str]) -> dict[str, str]:
        return {end_date_field_name(right): day for right, day in ends_on.items()}
