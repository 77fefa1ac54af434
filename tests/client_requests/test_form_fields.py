"""The request forms' fields written in one step (`request_forms`) read as the shared field
template writes them: the same labels and their `for`, ids, aria attributes and errors."""

import re

import pytest
from django.template import engines
from django.utils import timezone

from client_requests.forms.bank_details import BankDetailsForm
from client_requests.forms.company_requests import CompanyRequestForm
from client_requests.forms.early_buyout import EarlyBuyoutForm
from client_requests.forms.fund_operations import (
    DisbursementForm,
    EarlyRepaymentForm,
    RenunciationForm,
    StatementForm,
)
from client_requests.templatetags.request_forms import widget_html
from companies.models import ContractKind
from tests.client_requests.ops_factories import club_contract, lease_contract
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db

_INCLUDED = engines["django"].from_string(
    '{% for field in form %}{% include "portal/_form_field.html" with field=field %}{% endfor %}'
)
_ONE_STEP = engines["django"].from_string("{% load request_forms %}{% form_fields form %}")


def _forms(data=None):
    company = CompanyFactory.create()
    club_contract(company)
    lease_contract(company, ContractKind.CBM)
    today = timezone.localdate()
    bound = {} if data is None else {"data": data, "files": {}}
    contract_forms = [
        form_class(company=company, today=today, **bound)
        for form_class in (
            RenunciationForm,
            DisbursementForm,
            EarlyRepaymentForm,
            StatementForm,
            EarlyBuyoutForm,
        )
    ]
    return [*contract_forms, BankDetailsForm(**bound), CompanyRequestForm(company=company, **bound)]


def _tags(html: str) -> list[str]:
    """The markup with the whitespace between tags left out."""
    return re.sub(r">\s+", ">", re.sub(r"\s+<", "<", html)).split("><")


@pytest.mark.parametrize("data", [None, {"amount": "<b>12,345</b>", "scope": "nope"}])
def test_request_form_fields_written_in_one_step_read_as_the_shared_template_writes_them(data):
    for form in _forms(data):
        assert _tags(_ONE_STEP.render({"form": form})) == _tags(_INCLUDED.render({"form": form}))
        for field in form:
            assert widget_html(field) == str(field)


def test_request_form_fields_keep_their_labels_ids_and_error_messages():
    form = RenunciationForm(
        company=CompanyFactory.create(),
        today=timezone.localdate(),
        data={"scope": "partial", "amount": "abc"},
    )
    html = _ONE_STEP.render({"form": form})

    for_ids = set(re.findall(r'<label for="([^"]+)"', html))
    ids = set(re.findall(r' id="([^"]+)"', html))
    assert {"id_contract", "id_amount", "id_scope_0", "id_scope_1"} <= for_ids
    assert for_ids <= ids
    assert (
        '<ul class="errorlist" id="id_contract_error"><li>Choisissez un contrat.</li></ul>' in html
    )
    assert "Saisissez un montant en euros, par exemple 1 234,56." in html
    assert re.search(r'<input type="text" name="amount" value="abc"[^>]* aria-invalid="true"', html)
    assert (
        'aria-describedby="id_amount_error"' in html or "id_amount_helptext id_amount_error" in html
    )
    assert '<div class="field field-error">' in html
