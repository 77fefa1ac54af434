import pytest

from client_requests.display import DetailRow, detail_rows


@pytest.mark.parametrize(("scope", "label"), [("total", "Totale"), ("partiel", "Partielle")])
def test_shows_a_fund_operation_scope_in_french(scope, label):
    assert DetailRow(label="Étendue", value=label) in detail_rows({"scope": scope})


def test_shows_an_unknown_scope_as_stored():
    assert detail_rows({"scope": "autre"}) == [DetailRow(label="Étendue", value="autre")]


def test_reads_the_scope_before_the_amount():
    rows = detail_rows({"amount": "10000.00", "scope": "partiel"})

    assert [row.label for row in rows] == ["Montant", "Étendue"]
