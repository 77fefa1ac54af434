"""How a request reads on a page: its details as French label and value, its status as a badge."""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from client_requests.kinds import OperationScope, RequestStatus

# The keys the sections write in `details`; an unknown key still reads as words.
DETAIL_LABELS: dict[str, str | Promise] = {
    "subject": gettext_lazy("Objet"),
    "product": gettext_lazy("Produit"),
    "holder": gettext_lazy("Titulaire du compte"),
    "iban": gettext_lazy("IBAN"),
    "bic": gettext_lazy("BIC"),
    "amount": gettext_lazy("Montant"),
    "available_amount": gettext_lazy("Montant disponible"),
    "date": gettext_lazy("Date"),
    "requested_date": gettext_lazy("Date souhaitée"),
    "wished_date": gettext_lazy("Date souhaitée"),
    "disbursement_date": gettext_lazy("Date de décaissement"),
    "repayment_date": gettext_lazy("Date de remboursement"),
    "buyout_date": gettext_lazy("Date de rachat"),
    "statement_date": gettext_lazy("Date du décompte"),
    "repayment_kind": gettext_lazy("Type de remboursement"),
    "scope": gettext_lazy("Étendue"),
    "reason": gettext_lazy("Motif"),
    "document": gettext_lazy("Document"),
    "document_title": gettext_lazy("Document"),
    "contract_reference": gettext_lazy("Contrat"),
    "contract_kind": gettext_lazy("Type de contrat"),
    "residual_value": gettext_lazy("Valeur résiduelle"),
    "comment": gettext_lazy("Commentaire"),
}

# Keys whose stored value is a code: the page shows its French label.
VALUE_LABELS: dict[str, dict[str, str | Promise]] = {
    "scope": dict(OperationScope.choices),
}

STATUS_BADGES: dict[str, str] = {
    RequestStatus.DRAFT: "badge-warning",
    RequestStatus.SUBMITTED: "badge-info",
    RequestStatus.IN_REVIEW: "badge-info",
    RequestStatus.DONE: "badge-success",
    RequestStatus.REFUSED: "badge-danger",
}


@dataclass(frozen=True)
class DetailRow:
    label: str
    value: str


def status_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "badge")


def group_iban(iban: str) -> str:
    compact = "".join(str(iban).split()).upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def iban_masked(iban: str) -> str:
    """Only the last four characters shown, grouped by four: enough to recognise an account."""
    if not iban:
        return ""
    visible = 4
    return group_iban("•" * max(len(iban) - visible, 0) + iban[-visible:])


def format_amount(value: Any) -> str:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"{number_format(amount, 2, use_l10n=True, force_grouping=True)} €"


def _format_date(value: Any) -> str:
    try:
        return str(date_format(datetime.date.fromisoformat(str(value)), "d/m/Y"))
    except ValueError:
        return str(value)


def _label(key: str) -> str:
    label = DETAIL_LABELS.get(key)
    if label is not None:
        return str(label)
    return key.replace("_", " ").strip().capitalize()


def format_value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return _("Oui") if value else _("Non")
    if value is None or value == "":
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(format_value(key, item) for item in value)
    if key == "iban" or key.endswith("_iban"):
        return group_iban(str(value))
    if key in {"amount", "fee", "residual_value"} or key.endswith("_amount"):
        return format_amount(value)
    if key == "date" or key.endswith("_date"):
        return _format_date(value)
    return str(VALUE_LABELS.get(key, {}).get(str(value), value))


def _order(key: str) -> int:
    # PostgreSQL's jsonb sorts keys: the table above gives the reading order back
    return list(DETAIL_LABELS).index(key) if key in DETAIL_LABELS else len(DETAIL_LABELS)


def detail_rows(details: dict[str, Any]) -> list[DetailRow]:
    details = dict(sorted(details.items(), key=lambda item: _order(item[0])))
    return [
        DetailRow(label=_label(key), value=format_value(key, value))
        for key, value in details.items()
    ]
