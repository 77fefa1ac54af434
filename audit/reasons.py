"""Support says why: every change support makes to a client's data carries a reason of a few
words, kept in the audit event and shown in the company's journal."""

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

REASON_MIN_WORDS = 3
REASON_MIN_LENGTH = 10
REASON_MAX_LENGTH = 500


def reason_refusal(reason: str | None) -> str | None:
    """Why this reason is not enough (None: it is): a few words, not a single letter."""
    text = " ".join((reason or "").split())
    if len(text) < REASON_MIN_LENGTH or len(text.split(" ")) < REASON_MIN_WORDS:
        return _(
            "Indiquez le motif en quelques mots (au moins %(words)d mots) : il figure dans le "
            "journal de l’entreprise."
        ) % {"words": REASON_MIN_WORDS}
    if len(text) > REASON_MAX_LENGTH:
        return _("Le motif est trop long (%(max)d caractères au plus).") % {
            "max": REASON_MAX_LENGTH
        }
    return None


def reason_clean(reason: str | None) -> str:
    return " ".join((reason or "").split())


class ReasonField(forms.CharField):
    """The reason support gives, required and checked by `reason_refusal`."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", gettext_lazy("Motif (visible par l’entreprise)"))
        kwargs.setdefault(
            "help_text",
            gettext_lazy("Obligatoire : pourquoi ce changement, en quelques mots."),
        )
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2, "cols": 60}))
        super().__init__(required=True, max_length=REASON_MAX_LENGTH, **kwargs)

    def clean(self, value: Any) -> str:
        text = reason_clean(super().clean(value))
        if refusal := reason_refusal(text):
            raise forms.ValidationError(refusal)
        return text


class ReasonForm(forms.Form):
    """The page an admin action shows first: the reason, then the action applies."""

    reason = ReasonField()
