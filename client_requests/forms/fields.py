"""Fields the operation forms share: amounts in euros, dates, contracts, a proof of power."""

import datetime
import functools
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import translation
from django.utils.functional import lazy
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from client_requests.kinds import AttachmentPurpose
from client_requests.selectors import company_contracts, eligible_contracts
from client_requests.services import NewFile, RequestRefused
from client_requests.services.rules import (
    AMOUNT_CENTS,
    AMOUNT_NOT_POSITIVE,
    short_date,
)
from client_requests.uploads import ACCEPTED_TYPES, check_upload, size_label
from companies.models import Company, Contract, ContractKind

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_AMOUNT = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


class AmountField(forms.DecimalField):
    """A positive amount in euros, at most 2 decimals: "1 234,56", "1234,56" and "1234.56"."""

    default_error_messages = {
        "invalid": _("Saisissez un montant en euros, par exemple 1 234,56."),
        "min_value": AMOUNT_NOT_POSITIVE,
        "max_decimal_places": AMOUNT_CENTS,
        "max_digits": _("Ce montant est trop grand."),
        "max_whole_digits": _("Ce montant est trop grand."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0.01"))
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        text = _SPACES.sub("", str(value)).removesuffix("€").removesuffix("EUR")
        if "," in text and "." in text:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        text = text.replace(",", ".")
        if not _AMOUNT.fullmatch(text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            return Decimal(text)
        except InvalidOperation:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class DateField(forms.DateField):
    """A date picker that also accepts the French "31/12/2025" typed by hand."""

    default_error_messages = {
        "invalid": _("Saisissez une date valide, par exemple 31/12/2025."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        super().__init__(**kwargs)


@functools.cache
def _contract_kind_labels(language: str | None) -> dict[str, str]:
    with translation.override(language):
        return {str(value): str(label) for value, label in ContractKind.choices}


def contract_kind_label(kind: str) -> str:
    """What `contract.get_kind_display()` says, without its lookup through the lazy choices (a
    list of every contract asks for it on each option)."""
    return _contract_kind_labels(translation.get_language()).get(kind, kind)


def _attributes(attrs: dict[str, Any]) -> str:
    """What Django's "django/forms/widgets/attrs.html" writes."""
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class OptionsSelect(forms.Select):
    """A select whose options are written in one step rather than an included template each (a
    page may offer several forms listing every contract), with Django's markup and escaping."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        groups = widget["optgroups"]
        if any(group_name for group_name, _options, _index in groups):
            return super().render(name, value, attrs, renderer)
        options = "\n".join(
            f'<option value="{escape(str(option["value"]))}"{_attributes(option["attrs"])}>'
            f"{escape(option['label'])}</option>"
            for _group_name, options, _index in groups
            for option in options
        )
        return mark_safe(  # noqa: S308 (every name, value and label is escaped)
            f'<select name="{escape(widget["name"])}"{_attributes(widget["attrs"])}>\n'
            f"{options}\n</select>"
        )


class ContractField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """One of the company's contracts, among the kinds the section accepts and still active.

    The list offers the eligible contracts only; a contract typed in by hand is looked up among the
    company's contracts, so that another company's looks exactly like one that does not exist,
    then checked by the section's rule (`refusal`, the one its service calls), so that a closed or
    ineligible one gets a precise message.
    """

    default_error_messages = {
        "required": _("Choisissez un contrat."),
        "invalid_choice": _("Choisissez un contrat de l’entreprise dans la liste."),
    }

    def __init__(
        self,
        *,
        refusal: Callable[..., RequestRefused | None],
        describe: Callable[[Contract], str] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("empty_label", _("— Choisissez un contrat —"))
        kwargs.setdefault("widget", OptionsSelect)
        super().__init__(queryset=Contract.objects.none(), **kwargs)
        self.refusal = refusal
        self.describe = describe
        self.company_contracts: QuerySet[Contract] = Contract.objects.none()
        self.company_id: int | None = None

    def label_from_instance(self, obj: Contract) -> str:
        if self.describe is not None:
            # the page's forms offer the same contracts: each described once
            described: dict[Callable[[Contract], str], str] = obj.__dict__.setdefault(
                "_described", {}
            )
            if self.describe not in described:
                described[self.describe] = self.describe(obj)
            return described[self.describe]
        return gettext("%(reference)s — %(kind)s — fin le %(end)s") % {
            "reference": obj.reference,
            "kind": contract_kind_label(obj.kind),
            "end": short_date(obj.end_date),
        }

    def limit_to(
        self, *, company: Company, kinds: tuple[str, ...], eligible: list[Contract] | None = None
    ) -> None:
        """`eligible`: the contracts the view already read, offered without another query."""
        self.queryset = eligible_contracts(company=company, kinds=kinds)
        self.company_contracts = company_contracts(company=company)
        self.company_id = company.pk
        if eligible is not None:
            empty = [] if self.empty_label is None else [("", self.empty_label)]
            self.choices = [*empty, *((c.pk, self.label_from_instance(c)) for c in eligible)]

    def to_python(self, value: Any) -> Contract | None:
        if value in self.empty_values:
            return None
        try:
            contract = self.company_contracts.get(pk=int(str(value)))
        except (ValueError, TypeError, Contract.DoesNotExist):
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None
        if refusal := self.refusal(contract=contract, company_id=self.company_id):
            raise ValidationError(refusal.message, code="refused")
        return contract

    def validate(self, value: Any) -> None:
        forms.Field.validate(self, value)


class ContractForm(forms.Form):
    """A request on one of the company's active contracts of `contract_kinds`, with a date
    checked against `today`."""

    contract_kinds: ClassVar[tuple[str, ...]]

    def __init__(
        self,
        *args: Any,
        company: Company,
        today: datetime.date,
        eligible: list[Contract] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        contract_field: ContractField = self.fields["contract"]  # type: ignore[assignment]
        contract_field.limit_to(company=company, kinds=self.contract_kinds, eligible=eligible)


def upload_hint() -> str:
    return gettext(
        "Formats acceptés : %(types)s ; %(limit)s au maximum. Le type est vérifié d’après le "
        "contenu du fichier, pas son nom."
    ) % {
        "types": ", ".join(ACCEPTED_TYPES.values()),
        "limit": size_label(settings.UPLOAD_MAX_BYTES),
    }


class ProofOfPowerField(forms.FileField):
    """A justificatif de pouvoir, checked from its content; cleans to a `NewFile` ready to store."""

    default_error_messages = {
        "required": _("Joignez un justificatif de pouvoir."),
        "empty": _("Le fichier est vide."),
        "invalid": _("Aucun fichier n’a été reçu : choisissez-le à nouveau."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Justificatif de pouvoir"))
        kwargs.setdefault("help_text", lazy(upload_hint, str)())
        kwargs.setdefault(
            "widget",
            forms.FileInput(
                attrs={"accept": ",".join([*ACCEPTED_TYPES, ".pdf", ".jpg", ".jpeg", ".png"])}
            ),
        )
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> NewFile | None:
        upload = super().clean(data, initial)
        if not upload:
            return None
        checked = check_upload(upload)
        return NewFile(upload=upload, checked=checked, purpose=AttachmentPurpose.PROOF_OF_POWER)


def add_refusal(form: forms.Form, refusal: RequestRefused) -> None:
    """Show the service's refusal beside its field (named as the form names it, see
    `refusal_fields`), or above the form."""
    aliases: dict[str, str] = getattr(form, "refusal_fields", {})
    field = aliases.get(refusal.field or "", refusal.field)
    form.add_error(field if field in form.fields else None, refusal.message)


def add_refusals(form: forms.Form, refusals: list[RequestRefused]) -> None:
    """The rule's refusals the form's own fields have not already reported."""
    aliases: dict[str, str] = getattr(form, "refusal_fields", {})
    for refusal in refusals:
        if aliases.get(refusal.field or "", refusal.field) not in form.errors:
            add_refusal(form, refusal)
