"""The contracts' tables of Gestion des fonds and Rachat anticipé, each row written in one step,
read as the template loop wrote them (amounts, dates, labels of the phone's cards)."""

import re
from decimal import Decimal

import pytest
from django.template import engines
from django.utils import translation

from client_requests.forms.fields import contract_kind_label
from companies.models import ContractKind
from tests.client_requests.ops_factories import club_contract, lease_contract
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db

_LABELS = "{% load request_display %}"
_CLUB_LOOP = engines["django"].from_string(
    "{% for contract in contracts %}<tr>"
    '<th scope="row" data-label="{{ label_1 }}" class="nowrap">{{ contract.reference }}</th>'
    '<td data-label="{{ label_2 }}" class="num">{{ contract.amount|floatformat:"2g" }} €</td>'
    '<td data-label="{{ label_3 }}" class="num">{{ contract.drawn_amount|floatformat:"2g" }} €</td>'
    '<td data-label="{{ label_4 }}" class="num">'
    '{{ contract.available_amount|floatformat:"2g" }} €</td>'
    '<td data-label="{{ label_5 }}">{{ contract.start_date|date:"SHORT_DATE_FORMAT" }}</td>'
    '<td data-label="{{ label_6 }}">{{ contract.end_date|date:"SHORT_DATE_FORMAT" }}</td>'
    "</tr>{% endfor %}"
)
_BUYOUT_LOOP = engines["django"].from_string(
    "{% load i18n %}{% for contract in contracts %}<tr>"
    '<th scope="row" data-label="{{ label_1 }}" class="nowrap">{{ contract.reference }}</th>'
    '<td data-label="{{ label_2 }}">{{ contract.get_kind_display }}</td>'
    '<td data-label="{{ label_3 }}">{% if contract.kind == "cbm" %}'
    '{% translate "Levée d’option anticipée" %}{% else %}'
    '{% translate "Résiliation avec vente du matériel" %}{% endif %}</td>'
    '<td data-label="{{ label_4 }}" class="num">{{ contract.amount|floatformat:"2g" }} €</td>'
    '<td data-label="{{ label_5 }}" class="num">{% if contract.kind == "cbm" %}'
    '{{ contract.residual_value|floatformat:"2g" }} €{% else %}—{% endif %}</td>'
    '<td data-label="{{ label_6 }}">{{ contract.end_date|date:"SHORT_DATE_FORMAT" }}</td>'
    "</tr>{% endfor %}"
)
_LABELS_CONTEXT = {f"label_{n}": f"Colonne <{n}>" for n in range(1, 7)}


def _rows(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("language", ["fr", "en"])
def test_club_contract_rows_read_as_the_template_loop_wrote_them(language):
    company = CompanyFactory.create()
    contracts = [
        club_contract(company, amount=Decimal("1234567.5"), drawn_amount=Decimal("1000.004")),
        club_contract(company, reference="<b>CLUB</b>"),
    ]
    one_step = engines["django"].from_string(
        _LABELS
        + "{% club_contract_rows contracts label_1 label_2 label_3 label_4 label_5 label_6 %}"
    )
    context = {"contracts": contracts, **_LABELS_CONTEXT}
    with translation.override(language):
        assert _rows(one_step.render(context)) == _rows(_CLUB_LOOP.render(context))


@pytest.mark.parametrize("language", ["fr", "en"])
def test_buyout_contract_rows_read_as_the_template_loop_wrote_them(language):
    company = CompanyFactory.create()
    contracts = [
        lease_contract(company, ContractKind.CBM, residual_value=Decimal("2500.5")),
        lease_contract(company, ContractKind.LOCFI, reference="<i>LOCFI</i>"),
    ]
    one_step = engines["django"].from_string(
        _LABELS
        + "{% buyout_contract_rows contracts label_1 label_2 label_3 label_4 label_5 label_6 %}"
    )
    context = {"contracts": contracts, **_LABELS_CONTEXT}
    with translation.override(language):
        assert _rows(one_step.render(context)) == _rows(_BUYOUT_LOOP.render(context))


@pytest.mark.parametrize("language", ["fr", "en"])
def test_contract_kind_labels_of_the_contract_lists_read_as_the_contract_says_them(language):
    company = CompanyFactory.create()
    contracts = [club_contract(company)] + [
        lease_contract(company, kind) for kind in (ContractKind.CBM, ContractKind.LOCFI)
    ]
    with translation.override(language):
        for contract in contracts:
            assert contract_kind_label(contract.kind) == contract.get_kind_display()
