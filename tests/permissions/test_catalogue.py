import pytest
from django.utils import translation

from permissions.catalogue import CATALOGUE, Right, right_options, sorted_rights, specs_for

SEED_LABELS = {
    "documents": "Accéder aux informations financières et documentaires de l’entreprise",
    "fund_operations": (
        "Effectuer les opérations relatives à la gestion des fonds "
        "(dans le cadre des financements octroyés)"
    ),
    "company_requests": (
        "Suivre, compléter et soumettre les demandes de l'entreprise initiées par d'autres "
        "utilisateurs pour souscrire de nouveaux contrats, demander l’accès à d’autres produits "
        "ou effectuer une demande d’avenant"
    ),
    "treasury": "Accéder au service Suivi de trésorerie",
    "bank_details": "Effectuer un changement de RIB",
    "early_buyout": "Effectuer une demande de rachat anticipé",
}


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


def options(kinds=(), subscription=False):
    return {
        option.code: option
        for option in right_options(
            held_contract_kinds=kinds, has_entreprise_subscription=subscription
        )
    }


def test_the_catalogue_holds_the_six_rights_of_the_seed_in_its_order():
    assert [right.value for right in CATALOGUE] == list(SEED_LABELS)


def test_the_rights_enum_and_the_catalogue_list_the_same_codes():
    assert list(Right.values) == [right.value for right in CATALOGUE]


def test_each_label_is_the_seeds_french_text():
    assert {right.value: spec.label for right, spec in CATALOGUE.items()} == SEED_LABELS


def test_the_new_rights_of_the_seed_carry_the_new_badge():
    assert {r.value for r, spec in CATALOGUE.items() if spec.is_new} == {
        "fund_operations",
        "bank_details",
        "early_buyout",
    }


def test_fund_operations_is_disabled_without_a_club_contract_and_says_why():
    option = options(kinds=["cbm", "locfi", "loan"])["fund_operations"]

    assert not option.enabled
    assert "CLUB" in str(option.reason)


def test_fund_operations_is_enabled_with_a_club_contract():
    assert options(kinds=["club"])["fund_operations"].enabled


def test_early_buyout_is_disabled_without_a_cbm_or_locfi_contract_and_says_why():
    option = options(kinds=["club", "loan"])["early_buyout"]

    assert not option.enabled
    assert "CBM" in str(option.reason)
    assert "LOCFI" in str(option.reason)


@pytest.mark.parametrize("kind", ["cbm", "locfi"])
def test_early_buyout_is_enabled_with_a_cbm_or_a_locfi_contract(kind):
    assert options(kinds=[kind])["early_buyout"].enabled


def test_rights_without_a_contract_condition_are_always_enabled():
    offered = options(kinds=[])

    assert all(
        offered[code].enabled
        for code in ("documents", "company_requests", "treasury", "bank_details")
    )


def test_documents_mentions_the_50_euro_duplicate_fee_without_the_subscription():
    assert "50 €" in str(options(subscription=False)["documents"].note)


def test_documents_says_duplicates_are_included_with_the_subscription():
    note = str(options(subscription=True)["documents"].note)

    assert "inclus" in note
    assert "50" not in note


def test_only_documents_carries_a_fee_note():
    assert [code for code, option in options().items() if option.note] == ["documents"]


def test_rights_are_sorted_in_catalogue_order_without_duplicates():
    assert sorted_rights(["early_buyout", "documents", "treasury", "documents"]) == [
        Right.DOCUMENTS,
        Right.TREASURY,
        Right.EARLY_BUYOUT,
    ]


def test_sorting_an_unknown_right_is_refused():
    with pytest.raises(ValueError):
        sorted_rights(["documents", "launch_missiles"])


def test_specs_for_gives_catalogue_entries_in_catalogue_order():
    assert specs_for(["treasury", Right.DOCUMENTS]) == [
        CATALOGUE[Right.DOCUMENTS],
        CATALOGUE[Right.TREASURY],
    ]
