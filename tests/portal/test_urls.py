import pytest
from django.urls import Resolver404, resolve, reverse

pytestmark = pytest.mark.django_db

PAST_A_BIGINT = "99999999999999999999999"


def test_an_id_past_a_bigint_matches_no_url_whatever_the_database():
    # SQLite cannot even bind such a number to a query: an OverflowError, so a 500
    with pytest.raises(Resolver404):
        resolve(f"/entreprises/{PAST_A_BIGINT}/")


@pytest.mark.parametrize(
    "url",
    [
        f"/entreprises/{PAST_A_BIGINT}/",
        f"/entreprises/{PAST_A_BIGINT}/equipes/",
        f"/entreprises/{PAST_A_BIGINT}/equipes/invitations/nouvelle/",
    ],
)
def test_a_company_id_past_a_bigint_is_not_found(admin_client, url):
    assert admin_client.get(url).status_code == 404


@pytest.mark.parametrize("action", ["signer/", "signer/code/", "renvoyer/", "revoquer/"])
def test_an_invitation_id_past_a_bigint_is_not_found(admin_client, admin, action):
    team = reverse("teams:team", args=[admin.company_id])

    response = admin_client.post(f"{team}invitations/{PAST_A_BIGINT}/{action}")

    assert response.status_code == 404


def test_the_largest_id_of_eighteen_digits_still_resolves_to_a_missing_company(admin_client):
    assert admin_client.get(f"/entreprises/{'9' * 18}/").status_code == 404


def test_ids_are_reversed_as_plain_numbers():
    assert reverse("portal:company_home", args=[42]) == "/entreprises/42/"
